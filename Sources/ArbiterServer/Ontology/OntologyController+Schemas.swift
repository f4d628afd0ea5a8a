import ArbiterCore

extension OntologyController {
    static let schemas: [String: JSONValue] = [
        "Branch": [
            "type": "object", "required": ["name", "head", "protected", "required_approvals", "created_by", "created_at", "updated_at"],
            "properties": [
                "name": ["type": "string"], "head": ["type": "string", "description": "The commit the branch points at."],
                "protected": ["type": "boolean"], "required_approvals": ["type": "integer"], "created_by": ["type": "string"],
                "created_at": ["type": "string", "format": "date-time"], "updated_at": ["type": "string", "format": "date-time"],
            ],
        ],
        "BranchList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("Branch")]]],
        "CreateBranch": [
            "type": "object", "required": ["name"],
            "properties": [
                "name": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"],
                "from": ["type": "string", "description": "A branch name or commit id; default main."],
            ],
        ],
        "BranchProtection": [
            "type": "object", "required": ["protected"],
            "properties": ["protected": ["type": "boolean"], "required_approvals": ["type": "integer", "minimum": 0, "maximum": 10]],
        ],
        "Commit": [
            "type": "object", "required": ["id", "tree", "parents", "author", "message", "created_at", "issue_references"],
            "properties": [
                "id": ["type": "string", "description": "SHA-256 of the tree, parents, author, message, time and issue references."],
                "tree": ["type": "string"], "parents": ["type": "array", "items": ["type": "string"]], "author": ["type": "string"],
                "message": ["type": "string"], "created_at": ["type": "integer", "description": "Milliseconds since 1970."],
                "issue_references": ["type": "array", "items": ["type": "string"]],
            ],
        ],
        "CommitList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("Commit")]]],
        "Resource": [
            "type": "object", "description": "An object type, link type, interface or shared property; see docs/ontology.md for the fields.",
            "properties": ["id": ["type": "string"], "display_name": ["type": "string"]], "additionalProperties": true,
        ],
        "ResourceList": [
            "type": "object", "required": ["commit", "items"],
            "properties": ["commit": ["type": "string"], "items": ["type": "array", "items": .ref("Resource")]],
        ],
        "Diff": [
            "type": "object", "required": ["from", "to", "changes"],
            "properties": [
                "from": ["type": "string"], "to": ["type": "string"],
                "changes": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["kind", "id", "change", "fields"],
                        "properties": [
                            "kind": ["type": "string"], "id": ["type": "string"], "change": ["type": "string", "enum": ["added", "removed", "modified"]],
                            "fields": [
                                "type": "array",
                                "items": ["type": "object", "required": ["path"], "properties": ["path": ["type": "string"], "before": [:], "after": [:]]],
                            ],
                        ],
                    ],
                ],
            ],
        ],
    ]
}
