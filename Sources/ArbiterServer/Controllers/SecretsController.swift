import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Encrypted secrets (provider API keys and the like). Values go in; they never come back out through the API.
struct SecretsController: Sendable {
    let secrets: SecretStore
    let cipher: SecretCipher

    static let maximumValueBytes = 64 * 1024

    struct PutSecret: Decodable {
        let value: String
    }

    struct SecretResponse: ResponseEncodable {
        let name: String
        let keyID: String
        let createdBy: String
        let createdAt: Date
        let updatedAt: Date

        init(_ info: SecretInfo) {
            name = info.name
            keyID = info.keyID
            createdBy = info.createdBy
            createdAt = info.createdAt
            updatedAt = info.updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case name, keyID = "key_id", createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at"
        }
    }

    struct SecretList: ResponseEncodable {
        let items: [SecretResponse]
    }

    static let schemas: [String: JSONValue] = [
        "Secret": [
            "type": "object", "required": ["name", "key_id", "created_by", "created_at", "updated_at"],
            "properties": [
                "name": ["type": "string"], "key_id": ["type": "string", "description": "Master key the value is sealed under."],
                "created_by": ["type": "string"], "created_at": ["type": "string", "format": "date-time"],
                "updated_at": ["type": "string", "format": "date-time"],
            ],
        ],
        "SecretList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("Secret")]]],
        "PutSecret": [
            "type": "object", "required": ["value"],
            "properties": ["value": ["type": "string", "writeOnly": true, "maxLength": 65536]],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .put, path: "/api/v1/secrets/{name}", operationID: "putSecret",
                summary: "Store or replace a secret, encrypted with AES-256-GCM. The value is never returned.",
                tags: ["secrets"], access: .requires(.manageSecrets), requestBody: .ref("PutSecret"),
                responses: [
                    201: .init("Stored.", schema: .ref("Secret")), 200: .init("Replaced.", schema: .ref("Secret")),
                    400: .problem("Invalid name or value."),
                ]),
            use: put)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/secrets", operationID: "listSecrets", summary: "Names of your organization's secrets.",
                tags: ["secrets"], access: .requires(.manageSecrets), responses: [200: .init("The secrets, without values.", schema: .ref("SecretList"))]),
            use: list)
        api.on(
            RouteDocumentation(
                method: .delete, path: "/api/v1/secrets/{name}", operationID: "deleteSecret", summary: "Delete a secret.",
                tags: ["secrets"], access: .requires(.manageSecrets),
                responses: [
                    204: .init("Deleted.", contentType: nil), 400: .problem("Invalid name."),
                    404: .problem("No such secret in your organization."),
                ]),
            use: delete)
    }

    static func validName(_ context: ArbiterRequestContext) throws -> String {
        let name = try context.parameters.require("name")
        guard (1...128).contains(name.count),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }), !name.hasPrefix(".")
        else {
            throw Problem.badRequest("A secret name is 1 to 128 letters, digits, `_`, `-` and `.`, not starting with `.`.")
        }
        return name
    }

    @Sendable func put(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try Self.validName(context)
        let body = try await request.decodeJSON(as: PutSecret.self, context: context)
        guard !body.value.isEmpty, body.value.utf8.count <= Self.maximumValueBytes else {
            throw Problem.badRequest("Field `value` must be 1 to \(Self.maximumValueBytes) bytes.")
        }
        let sealed = try cipher.seal(body.value, organizationID: principal.organizationID, name: name)
        let created = try await secrets.put(
            organizationID: principal.organizationID, name: name, ciphertext: sealed, keyID: cipher.keyID, by: try context.actor())
        guard let info = try await secrets.list(organizationID: principal.organizationID).first(where: { $0.name == name }) else {
            throw Problem.notFound("The secret \(name) was deleted while it was being stored.")
        }
        var response = try SecretResponse(info).response(from: request, context: context)
        response.status = created ? .created : .ok
        return response
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> SecretList {
        let principal = try context.requirePrincipal()
        return SecretList(items: try await secrets.list(organizationID: principal.organizationID).map(SecretResponse.init))
    }

    @Sendable func delete(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try Self.validName(context)
        guard try await secrets.delete(organizationID: principal.organizationID, name: name, by: try context.actor()) else {
            throw Problem.notFound("Your organization has no secret \(name).")
        }
        return Response(status: .noContent)
    }
}
