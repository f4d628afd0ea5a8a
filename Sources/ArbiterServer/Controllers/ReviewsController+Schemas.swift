import ArbiterCore
import ArbiterReview

extension ReviewsController {
    static let schemas: [String: JSONValue] = [
        "CreateReview": [
            "type": "object",
            "description": "Exactly one of `files` and `diff`.",
            "oneOf": [["required": ["files"]], ["required": ["diff"]]],
            "properties": [
                "files": [
                    "type": "array", "minItems": 1, "maxItems": .number(Double(maximumFiles)),
                    "items": [
                        "type": "object", "required": ["path", "content"],
                        "properties": [
                            "path": [
                                "type": "string", "minLength": 1, "maxLength": .number(Double(maximumPathLength)),
                                "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]+$", "description": "A label for the file; no control characters.",
                            ],
                            "content": ["type": "string"],
                        ],
                    ],
                ],
                "diff": ["type": "string", "description": "A unified diff (git diff, diff -u); only added lines are reported."],
                "language": [
                    "type": "string", "enum": .array(Language.allCases.map { .string($0.rawValue) }),
                    "description": "Review every file as this language instead of detecting it from the file name.",
                ],
                "min_severity": ["type": "string", "enum": .array(Severity.allCases.map { .string($0.rawValue) })],
                "models": [
                    "type": "string", "enum": .array(ReviewService.ModelMode.allCases.map { .string($0.rawValue) }),
                    "description": .string(
                        "auto (default): the model chain when configured, the analyzer alone when no model answers; "
                            + "off: the analyzer only; required: 503 unless a model answered every part."),
                ],
            ],
        ],
        "ModelAttempt": [
            "type": "object", "required": ["tier", "provider", "model", "outcome", "calls", "duration_ms", "cost_micros"],
            "properties": [
                "tier": ["type": "integer", "minimum": 1], "provider": ["type": "string"], "model": ["type": "string"],
                "outcome": ["type": "string", "enum": ["answered", "cached", "failed", "skipped"]],
                "reason": [
                    "type": "string",
                    "description": .string(
                        "circuit_open, queue_full, over_budget, context_too_small, timeout, transport, rate_limited, "
                            + "server_error, client_error or malformed_response."),
                ],
                "detail": ["type": "string"], "calls": ["type": "integer"], "duration_ms": ["type": "number"],
                "usage": [
                    "type": "object", "required": ["input_tokens", "output_tokens", "estimated"],
                    "properties": ["input_tokens": ["type": "integer"], "output_tokens": ["type": "integer"], "estimated": ["type": "boolean"]],
                ],
                "cost_micros": ["type": "integer"],
            ],
        ],
        "ModelSummary": [
            "type": "object",
            "required": [
                "mode", "configuration_revision", "prompt_version", "prompts", "answered", "dropped", "repaired", "cost_micros", "warnings",
                "attempts",
            ],
            "properties": [
                "mode": ["type": "string"], "configuration_revision": ["type": "integer"], "prompt_version": ["type": "string"],
                "prompts": ["type": "integer", "description": "Parts the input was split into to fit the context windows."],
                "answered": ["type": "integer"], "dropped": ["type": "integer", "description": "Unusable model findings left out."],
                "repaired": ["type": "integer", "description": "Malformed or cut answers that were repaired."],
                "cost_micros": ["type": "integer"], "warnings": ["type": "array", "items": ["type": "string"]],
                "attempts": ["type": "array", "items": .ref("ModelAttempt")],
            ],
        ],
        "Finding": [
            "type": "object",
            "required": ["rule_id", "path", "line", "column", "end_column", "severity", "category", "confidence", "message", "snippet", "source"],
            "properties": [
                "rule_id": ["type": "string"], "path": ["type": "string"],
                "line": ["type": "integer", "minimum": 1], "column": ["type": "integer", "minimum": 1],
                "end_column": ["type": "integer", "minimum": 1],
                "severity": ["type": "string", "enum": .array(Severity.allCases.map { .string($0.rawValue) })],
                "category": ["type": "string", "enum": .array(ArbiterReview.Category.allCases.map { .string($0.rawValue) })],
                "confidence": ["type": "string", "enum": ["low", "medium", "high"]],
                "message": ["type": "string"], "fix": ["type": "string"], "cwe": ["type": "string"], "owasp": ["type": "string"],
                "snippet": ["type": "string"], "source": ["type": "string", "description": "Who found it: `analyzer` for the built-in rules, `ai:<provider>/<model>` for a model."],
            ],
        ],
        "ReviewSummary": [
            "type": "object", "required": ["total", "by_severity", "by_category"],
            "properties": [
                "total": ["type": "integer"], "by_severity": ["type": "object", "additionalProperties": ["type": "integer"]],
                "by_category": ["type": "object", "additionalProperties": ["type": "integer"]],
            ],
        ],
        "Review": [
            "type": "object",
            "required": [
                "id", "created_at", "created_by", "cached", "analyzer_version", "summary", "files_reviewed", "bytes_reviewed", "duration_ms", "skipped",
            ],
            "properties": [
                "id": ["type": "string"], "created_at": ["type": "string", "format": "date-time"], "created_by": ["type": "string"],
                "cached": ["type": "boolean", "description": "True when an earlier review of the same input answered this request."],
                "analyzer_version": ["type": "string"], "summary": .ref("ReviewSummary"),
                "files_reviewed": ["type": "integer"], "bytes_reviewed": ["type": "integer"], "duration_ms": ["type": "number"],
                "skipped": [
                    "type": "array",
                    "items": ["type": "object", "required": ["path", "reason"], "properties": ["path": ["type": "string"], "reason": ["type": "string"]]],
                ],
                "findings": ["type": "array", "items": .ref("Finding")],
                "models": .ref("ModelSummary"),
            ],
        ],
        "ReviewListItem": [
            "type": "object",
            "required": ["id", "created_at", "created_by", "analyzer_version", "files_reviewed", "finding_count", "duration_ms"],
            "properties": [
                "id": ["type": "string"], "created_at": ["type": "string", "format": "date-time"], "created_by": ["type": "string"],
                "analyzer_version": ["type": "string"], "files_reviewed": ["type": "integer"], "finding_count": ["type": "integer"],
                "duration_ms": ["type": "number"],
            ],
        ],
        "ReviewPage": [
            "type": "object", "required": ["items"],
            "properties": ["items": ["type": "array", "items": .ref("ReviewListItem")], "next_cursor": ["type": ["string", "null"]]],
        ],
    ]
}
