import ArbiterCore

extension ProposalsController {
    static let schemas: [String: JSONValue] = [
        "CreateProposal": [
            "type": "object", "required": ["source", "title"],
            "properties": [
                "source": ["type": "string"], "target": ["type": "string", "description": "Default main."],
                "title": ["type": "string", "minLength": 1, "maxLength": 200], "description": ["type": "string", "maxLength": 10000],
                "reviewers": ["type": "array", "items": ["type": "string"], "maxItems": 20], "draft": ["type": "boolean"],
            ],
        ],
        "ProposalComment": ["type": "object", "required": ["body"], "properties": ["body": ["type": "string", "minLength": 1, "maxLength": 10000]]],
        "ProposalStatus": ["type": "object", "required": ["status"], "properties": ["status": ["type": "string", "enum": ["draft", "open", "rejected"]]]],
        "MergeProposal": [
            "type": "object",
            "properties": [
                "strategy": ["type": "string", "enum": ["merge", "squash"]], "message": ["type": "string", "maxLength": 2000],
                "issue_references": ["type": "array", "items": ["type": "string"], "maxItems": 20],
            ],
        ],
        "Proposal": [
            "type": "object",
            "required": ["id", "source", "target", "title", "description", "status", "author", "reviewers", "approvals", "created_at", "updated_at"],
            "properties": [
                "id": ["type": "string"], "source": ["type": "string"], "target": ["type": "string"], "title": ["type": "string"],
                "description": ["type": "string"], "status": ["type": "string", "enum": ["draft", "open", "approved", "merged", "rejected"]],
                "author": ["type": "string"], "reviewers": ["type": "array", "items": ["type": "string"]], "approvals": ["type": "integer"],
                "merged_commit": ["type": "string"], "created_at": ["type": "string", "format": "date-time"],
                "updated_at": ["type": "string", "format": "date-time"], "events": ["type": "array", "items": ["type": "object"]],
                "conflicts": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["kind", "resource"],
                        "properties": [
                            "kind": ["type": "string", "enum": ["modify/modify", "modify/delete", "add/add", "rename/rename"]],
                            "resource": ["type": "string"], "field": ["type": "string"], "base": [:], "ours": [:], "theirs": [:],
                        ],
                    ],
                ],
            ],
        ],
        "ProposalList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("Proposal")]]],
    ]
}
