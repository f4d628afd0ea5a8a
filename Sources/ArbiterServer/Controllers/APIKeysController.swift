import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// API keys for CI and other automation: created (and shown) once, listed without secrets, revoked.
struct APIKeysController: Sendable {
    let keys: APIKeyStore
    let clock: any WallClock

    struct CreateKey: Decodable {
        let name: String
        let role: Role?
        let expiresInDays: Int?

        enum CodingKeys: String, CodingKey { case name, role, expiresInDays = "expires_in_days" }
    }

    struct KeyResponse: ResponseEncodable {
        let id: String
        let name: String
        let prefix: String
        let role: String
        let createdBy: String
        let createdAt: Date
        let expiresAt: Date?
        let lastUsedAt: Date?
        let revokedAt: Date?
        /// Present only in the answer to the request that created the key.
        let key: String?

        init(_ key: APIKey, secret: String? = nil) {
            id = key.id
            name = key.name
            prefix = key.prefix
            role = key.role.rawValue
            createdBy = key.createdBy
            createdAt = key.createdAt
            expiresAt = key.expiresAt
            lastUsedAt = key.lastUsedAt
            revokedAt = key.revokedAt
            self.key = secret
        }

        enum CodingKeys: String, CodingKey {
            case id, name, prefix, role, key
            case createdBy = "created_by", createdAt = "created_at", expiresAt = "expires_at", lastUsedAt = "last_used_at"
            case revokedAt = "revoked_at"
        }
    }

    struct KeyList: ResponseEncodable {
        let items: [KeyResponse]
    }

    static let schemas: [String: JSONValue] = [
        "APIKey": [
            "type": "object", "required": ["id", "name", "prefix", "role", "created_by", "created_at"],
            "properties": [
                "id": ["type": "string"], "name": ["type": "string"], "prefix": ["type": "string"], "role": UsersController.roleSchema,
                "created_by": ["type": "string"], "created_at": ["type": "string", "format": "date-time"],
                "expires_at": ["type": ["string", "null"], "format": "date-time"],
                "last_used_at": ["type": ["string", "null"], "format": "date-time"],
                "revoked_at": ["type": ["string", "null"], "format": "date-time"],
                "key": ["type": "string", "description": "The full key, only in the response that created it."],
            ],
        ],
        "APIKeyList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("APIKey")]]],
        "CreateAPIKey": [
            "type": "object", "required": ["name"],
            "properties": [
                "name": ["type": "string", "minLength": 1, "maxLength": 100],
                "role": UsersController.roleSchema,
                "expires_in_days": ["type": "integer", "minimum": 1, "maximum": 730],
            ],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/api-keys", operationID: "createAPIKey",
                summary: "Create an API key for your organization; the response is the only time the key is shown.",
                tags: ["api-keys"], access: .requires(.manageAPIKeys), requestBody: .ref("CreateAPIKey"),
                responses: [201: .init("Created; copy `key` now.", schema: .ref("APIKey")), 400: .problem("Invalid name, role or expiry.")]),
            use: create)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/api-keys", operationID: "listAPIKeys", summary: "Your organization's API keys, without secrets.",
                tags: ["api-keys"], access: .requires(.manageAPIKeys), responses: [200: .init("The keys.", schema: .ref("APIKeyList"))]),
            use: list)
        api.on(
            RouteDocumentation(
                method: .delete, path: "/api/v1/api-keys/{id}", operationID: "revokeAPIKey", summary: "Revoke a key; it stops working at once.",
                tags: ["api-keys"], access: .requires(.manageAPIKeys),
                responses: [204: .init("Revoked.", contentType: nil), 404: .problem("No such key in your organization.")]),
            use: revoke)
    }

    @Sendable func create(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(as: CreateKey.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(name.count), !name.contains(where: \.isNewline) else {
            throw Problem.badRequest("Field `name` must be 1 to 100 characters on one line.")
        }
        let role = body.role ?? .developer
        guard role <= principal.role else {
            throw Problem(.forbidden, slug: "role-too-high", title: "Forbidden", detail: "A key cannot have more rights than you: at most \(principal.role.rawValue).")
        }
        if let days = body.expiresInDays, !(1...730).contains(days) {
            throw Problem.badRequest("Field `expires_in_days` must be from 1 to 730.")
        }
        let (prefix, secret) = Credentials.newAPIKey()
        let key = try await keys.create(
            organizationID: principal.organizationID, name: name, prefix: prefix, keyHash: Credentials.fingerprint(secret), role: role,
            expiresAt: body.expiresInDays.map { clock.now().addingTimeInterval(Double($0) * 86_400) }, by: try context.actor(),
            createdBy: principal.id)
        var response = try KeyResponse(key, secret: secret).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/api-keys/\(key.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> KeyList {
        let principal = try context.requirePrincipal()
        return KeyList(items: try await keys.list(organizationID: principal.organizationID).map { KeyResponse($0) })
    }

    @Sendable func revoke(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        guard try await keys.revoke(id: id, organizationID: principal.organizationID, by: try context.actor()) != nil else {
            throw Problem.notFound("Your organization has no API key \(id).")
        }
        return Response(status: .noContent)
    }
}
