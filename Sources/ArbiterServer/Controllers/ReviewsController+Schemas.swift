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
                "snippet": ["type": "string"], "source": ["type": "string", "description": "Who found it: `analyzer` for the built-in rules."],
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
