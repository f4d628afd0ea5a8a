import ArbiterCore
import ArbiterStore
import Foundation
import Hummingbird

/// The audit log of the caller's organization, newest first.
struct AuditController: Sendable {
    let audit: AuditLog

    struct Entry: Encodable {
        let id: String
        let chain: String
        let sequence: Int64
        let createdAt: Date
        let actor: String
        let action: String
        let target: String?
        let outcome: String
        let requestID: String?
        let clientIP: String?
        let userAgent: String?
        let details: [String: String]
        let hash: String

        init(_ record: AuditRecord) {
            id = record.id
            chain = record.chain.rawValue
            sequence = record.sequence
            createdAt = record.createdAt
            actor = record.event.actor
            action = record.event.action
            target = record.event.target
            outcome = record.event.outcome.rawValue
            requestID = record.event.requestID
            clientIP = record.event.clientIP
            userAgent = record.event.userAgent
            details = record.event.details
            hash = record.hash
        }

        enum CodingKeys: String, CodingKey {
            case id, chain, sequence, actor, action, target, outcome, details, hash
            case createdAt = "created_at", requestID = "request_id", clientIP = "client_ip", userAgent = "user_agent"
        }
    }

    struct Page: ResponseEncodable {
        let items: [Entry]
        let nextCursor: String?

        enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
    }

    static let schemas: [String: JSONValue] = [
        "AuditEntry": [
            "type": "object", "required": ["id", "chain", "sequence", "created_at", "actor", "action", "outcome", "details", "hash"],
            "properties": [
                "id": ["type": "string"], "chain": ["type": "string", "enum": ["auth", "admin", "system"]],
                "sequence": ["type": "integer"], "created_at": ["type": "string", "format": "date-time"],
                "actor": ["type": "string"], "action": ["type": "string"], "target": ["type": ["string", "null"]],
                "outcome": ["type": "string", "enum": ["success", "failure", "denied"]],
                "request_id": ["type": ["string", "null"]], "client_ip": ["type": ["string", "null"]],
                "user_agent": ["type": ["string", "null"]], "details": ["type": "object", "additionalProperties": ["type": "string"]],
                "hash": ["type": "string"],
            ],
        ],
        "AuditPage": [
            "type": "object", "required": ["items"],
            "properties": ["items": ["type": "array", "items": .ref("AuditEntry")], "next_cursor": ["type": ["string", "null"]]],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/audit", operationID: "listAudit", summary: "Your organization's audit log, newest first.",
                tags: ["audit"], access: .requires(.readAudit),
                queryParameters: [
                    ("actor", ["type": "string"], "user:<id> or api_key:<id>."),
                    ("action", ["type": "string"], "For example auth.login or api_key.create."),
                    ("outcome", ["type": "string", "enum": ["success", "failure", "denied"]], "Only this outcome."),
                    ("since", ["type": "string", "format": "date-time"], "Entries at or after this time."),
                    ("until", ["type": "string", "format": "date-time"], "Entries before this time."),
                    ("limit", ["type": "integer", "minimum": 1, "maximum": 100], "Page size, at most 100 (default 50)."),
                    ("cursor", ["type": "string"], "next_cursor of the previous page."),
                ],
                responses: [200: .init("A page of entries.", schema: .ref("AuditPage")), 400: .problem("A bad query parameter.")]),
            use: list)
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> Page {
        let principal = try context.requirePrincipal()
        let outcome = try QueryParameters.string(request, "outcome", maximumLength: 16).map { raw in
            guard let outcome = AuditEvent.Outcome(rawValue: raw) else {
                throw Problem.badRequest("Query parameter `outcome` must be success, failure or denied.")
            }
            return outcome
        }
        let filter = AuditLog.Filter(
            organizationID: principal.organizationID, actor: try QueryParameters.string(request, "actor", maximumLength: 200),
            action: try QueryParameters.string(request, "action", maximumLength: 100), outcome: outcome,
            since: try QueryParameters.date(request, "since"), until: try QueryParameters.date(request, "until"))
        let cursor = try QueryParameters.string(request, "cursor", maximumLength: 400)
        if let cursor, PageCursor(cursor) == nil {
            throw Problem.badRequest("Query parameter `cursor` must be a next_cursor value from an earlier page.")
        }
        let page = try await audit.list(filter, limit: try QueryParameters.limit(request), cursor: cursor)
        return Page(items: page.records.map(Entry.init), nextCursor: page.nextCursor)
    }
}
