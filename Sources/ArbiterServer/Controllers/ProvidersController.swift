import ArbiterAI
import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Model providers per organization: where a model lives, its wire format and the secret holding its key. Keys
/// themselves live in the secrets store and never appear here.
struct ProvidersController: Sendable {
    let ai: AIService

    struct PutProvider: Decodable {
        let kind: String
        let baseURL: String
        let credential: String?
        let connectTimeoutMilliseconds: Int?
        let readTimeoutMilliseconds: Int?
        let totalTimeoutMilliseconds: Int?

        enum CodingKeys: String, CodingKey {
            case kind, credential
            case baseURL = "base_url"
            case connectTimeoutMilliseconds = "connect_timeout_ms"
            case readTimeoutMilliseconds = "read_timeout_ms"
            case totalTimeoutMilliseconds = "total_timeout_ms"
        }
    }

    struct ProviderResponse: ResponseEncodable {
        let settings: ProviderSettings
        let createdBy: String
        let createdAt: Date
        let updatedAt: Date

        func encode(to encoder: any Encoder) throws {
            try settings.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(createdBy, forKey: .createdBy)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(updatedAt, forKey: .updatedAt)
        }

        enum CodingKeys: String, CodingKey { case createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at" }
    }

    struct ProviderList: ResponseEncodable {
        let items: [ProviderResponse]
    }

    struct CheckProvider: Decodable {
        let model: String
    }

    struct CheckResult: ResponseEncodable {
        let ok: Bool
        let model: String
        let durationMilliseconds: Double
        let reason: String?
        let detail: String?
        let usage: TokenUsage?

        enum CodingKeys: String, CodingKey { case ok, model, reason, detail, usage, durationMilliseconds = "duration_ms" }
    }

    static let schemas: [String: JSONValue] = [
        "PutProvider": [
            "type": "object", "required": ["kind", "base_url"],
            "properties": [
                "kind": ["type": "string", "enum": .array(ProviderKind.allCases.map { .string($0.rawValue) })],
                "base_url": [
                    "type": "string", "maxLength": 2048,
                    "description": "openai: the API root with its version (http://localhost:11434/v1); anthropic: https://api.anthropic.com.",
                ],
                "credential": ["type": ["string", "null"], "description": "Name of the secret holding the API key; omit for servers without keys."],
                "connect_timeout_ms": ["type": "integer", "minimum": 10, "maximum": 60000],
                "read_timeout_ms": ["type": "integer", "minimum": 10, "maximum": 600_000],
                "total_timeout_ms": ["type": "integer", "minimum": 10, "maximum": 1_800_000],
            ],
        ],
        "Provider": [
            "type": "object",
            "required": [
                "name", "kind", "base_url", "connect_timeout_ms", "read_timeout_ms", "total_timeout_ms", "created_by", "created_at", "updated_at",
            ],
            "properties": [
                "name": ["type": "string"], "kind": ["type": "string", "enum": .array(ProviderKind.allCases.map { .string($0.rawValue) })],
                "base_url": ["type": "string"], "credential": ["type": ["string", "null"]],
                "connect_timeout_ms": ["type": "integer"], "read_timeout_ms": ["type": "integer"], "total_timeout_ms": ["type": "integer"],
                "created_by": ["type": "string"], "created_at": ["type": "string", "format": "date-time"],
                "updated_at": ["type": "string", "format": "date-time"],
            ],
        ],
        "ProviderList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("Provider")]]],
        "CheckProvider": [
            "type": "object", "required": ["model"], "properties": ["model": ["type": "string", "minLength": 1, "maxLength": 200]],
        ],
        "ProviderCheck": [
            "type": "object", "required": ["ok", "model", "duration_ms"],
            "properties": [
                "ok": ["type": "boolean"], "model": ["type": "string"], "duration_ms": ["type": "number"],
                "reason": ["type": "string", "description": "Why it failed: timeout, transport, rate_limited, server_error, client_error …"],
                "detail": ["type": "string"],
                "usage": [
                    "type": "object",
                    "properties": ["input_tokens": ["type": "integer"], "output_tokens": ["type": "integer"], "estimated": ["type": "boolean"]],
                ],
            ],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/providers", operationID: "listProviders", summary: "Your organization's model providers.",
                tags: ["ai"], access: .requires(.manageAI), responses: [200: .init("The providers.", schema: .ref("ProviderList"))]),
            use: list)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/providers/{name}", operationID: "getProvider", summary: "One model provider.",
                tags: ["ai"], access: .requires(.manageAI),
                responses: [
                    200: .init("The provider.", schema: .ref("Provider")), 400: .problem("Invalid name."), 404: .problem("No such provider."),
                ]),
            use: get)
        api.on(
            RouteDocumentation(
                method: .put, path: "/api/v1/providers/{name}", operationID: "putProvider",
                summary: "Create or replace a model provider. Audited.", tags: ["ai"], access: .requires(.manageAI),
                requestBody: .ref("PutProvider"),
                responses: [
                    201: .init("Created.", schema: .ref("Provider")), 200: .init("Replaced.", schema: .ref("Provider")),
                    400: .problem("The body is not the JSON this route takes, or the name is invalid."),
                    422: .problem("A field is invalid; `errors` lists each with what to change."),
                ]),
            use: put)
        api.on(
            RouteDocumentation(
                method: .delete, path: "/api/v1/providers/{name}", operationID: "deleteProvider",
                summary: "Delete a model provider the reviewer configuration does not use. Audited.", tags: ["ai"],
                access: .requires(.manageAI),
                responses: [
                    204: .init("Deleted.", contentType: nil), 400: .problem("Invalid name."), 404: .problem("No such provider."),
                    409: .problem("The reviewer configuration still uses it."),
                ]),
            use: delete)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/providers/{name}/check", operationID: "checkProvider",
                summary: "Send a tiny prompt to a model through this provider, once, without retries or cache, and say how it went.",
                tags: ["ai"], access: .requires(.manageAI), requestBody: .ref("CheckProvider"),
                responses: [
                    200: .init("The outcome; `ok` false with a reason when the provider failed.", schema: .ref("ProviderCheck")),
                    400: .problem("Invalid name or body."), 404: .problem("No such provider."),
                    422: .problem("The provider's key is missing from the secrets store."),
                ]),
            use: check)
    }

    static func validName(_ context: ArbiterRequestContext) throws -> String {
        let name = try context.parameters.require("name")
        guard ProviderSettings.isValidName(name) else {
            throw Problem.badRequest("A provider name is 1 to 64 letters, digits, `_`, `-` and `.`, not starting with `.`.")
        }
        return name
    }

    /// A `422` listing every invalid field.
    static func invalid(_ problems: [(field: String, message: String)], title: String) -> Problem {
        Problem(
            .unprocessableContent, slug: "invalid-configuration", title: title,
            detail: problems.map { "`\($0.field)`: \($0.message)" }.joined(separator: "; "),
            extensions: ["errors": .array(problems.map { ["field": .string($0.field), "detail": .string($0.message)] })])
    }

    @Sendable func put(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try Self.validName(context)
        let body = try await request.decodeJSON(as: PutProvider.self, context: context)
        guard let kind = ProviderKind(rawValue: body.kind) else {
            throw Self.invalid([("kind", "one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")], title: "Invalid provider")
        }
        let defaults = ProviderSettings(name: name, kind: kind, baseURL: body.baseURL, credential: body.credential)
        let settings = ProviderSettings(
            name: name, kind: kind, baseURL: body.baseURL, credential: body.credential,
            connectTimeoutMilliseconds: body.connectTimeoutMilliseconds ?? defaults.connectTimeoutMilliseconds,
            readTimeoutMilliseconds: body.readTimeoutMilliseconds ?? defaults.readTimeoutMilliseconds,
            totalTimeoutMilliseconds: body.totalTimeoutMilliseconds ?? defaults.totalTimeoutMilliseconds)
        let problems = settings.problems()
        guard problems.isEmpty else { throw Self.invalid(problems, title: "Invalid provider") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let created = try await ai.store.putProvider(
            organizationID: principal.organizationID, name: name, settingsJSON: String(decoding: try encoder.encode(settings), as: UTF8.self),
            by: try context.actor())
        guard let stored = try await ai.store.provider(organizationID: principal.organizationID, name: name) else {
            throw Problem.notFound("The provider \(name) was deleted while it was being stored.")
        }
        var response = try Self.response(stored).response(from: request, context: context)
        response.status = created ? .created : .ok
        return response
    }

    static func response(_ stored: StoredProvider) throws -> ProviderResponse {
        ProviderResponse(
            settings: try JSONDecoder().decode(ProviderSettings.self, from: Data(stored.settingsJSON.utf8)), createdBy: stored.createdBy,
            createdAt: stored.createdAt, updatedAt: stored.updatedAt)
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> ProviderList {
        let principal = try context.requirePrincipal()
        return ProviderList(items: try await ai.store.providers(organizationID: principal.organizationID).map(Self.response))
    }

    @Sendable func get(_ request: Request, context: ArbiterRequestContext) async throws -> ProviderResponse {
        let principal = try context.requirePrincipal()
        let name = try Self.validName(context)
        guard let stored = try await ai.store.provider(organizationID: principal.organizationID, name: name) else {
            throw Problem.notFound("Your organization has no provider \(name).")
        }
        return try Self.response(stored)
    }

    @Sendable func check(_ request: Request, context: ArbiterRequestContext) async throws -> CheckResult {
        let principal = try context.requirePrincipal()
        let name = try Self.validName(context)
        let body = try await request.decodeJSON(as: CheckProvider.self, context: context)
        guard !body.model.isEmpty, body.model.count <= 200, !body.model.contains(where: \.isNewline) else {
            throw Problem.badRequest("Field `model` must be 1 to 200 characters on one line.")
        }
        guard let stored = try await ai.store.provider(organizationID: principal.organizationID, name: name) else {
            throw Problem.notFound("Your organization has no provider \(name).")
        }
        let settings = try JSONDecoder().decode(ProviderSettings.self, from: Data(stored.settingsJSON.utf8))
        guard let endpoint = try await ai.endpoint(for: settings, organizationID: principal.organizationID) else {
            throw Problem(
                .unprocessableContent, slug: "credential-missing", title: "Credential missing",
                detail: "The secret `\(settings.credential ?? "")` this provider names is missing or unreadable; store it with PUT /api/v1/secrets/{name}.")
        }
        let provider = ModelGateway.standardProvider(endpoint, ai.gateway.clients)
        let started = ContinuousClock.now
        let chat = ChatRequest(model: body.model, system: "You are a health check.", messages: [ChatMessage(.user, "Reply with OK.")], maxOutputTokens: 16)
        do {
            let answer = try await provider.complete(chat)
            return CheckResult(ok: true, model: body.model, durationMilliseconds: ModelGateway.milliseconds(ContinuousClock.now - started), reason: nil,
                detail: nil, usage: answer.usage)
        } catch let error as ProviderError {
            return CheckResult(ok: false, model: body.model, durationMilliseconds: ModelGateway.milliseconds(ContinuousClock.now - started),
                reason: error.reason, detail: error.message, usage: nil)
        }
    }

    @Sendable func delete(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try Self.validName(context)
        if let (configuration, _) = try await ai.configuration(organizationID: principal.organizationID),
            let index = configuration.tiers.firstIndex(where: { $0.provider == name })
        {
            throw Problem(
                .conflict, slug: "provider-in-use", title: "Provider in use",
                detail: "Tier \(index + 1) of the reviewer configuration uses \(name); change the configuration (PUT /api/v1/reviewer-config) first.")
        }
        guard try await ai.store.deleteProvider(organizationID: principal.organizationID, name: name, by: try context.actor()) else {
            throw Problem.notFound("Your organization has no provider \(name).")
        }
        return Response(status: .noContent)
    }
}
