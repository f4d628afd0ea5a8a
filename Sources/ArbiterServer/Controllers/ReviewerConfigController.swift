import ArbiterAI
import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// The organization's reviewer chain: up to three model tiers before the analyzer, a monthly budget and the prompt
/// version. Every change is validated against the organization's providers, audited, and bumps the revision, which
/// is also the `ETag`; a `PUT` with a stale `If-Match` is refused with `412`.
struct ReviewerConfigController: Sendable {
    let ai: AIService

    struct ConfigResponse: ResponseEncodable {
        let configuration: ReviewerConfiguration
        let revision: Int64
        let updatedBy: String?
        let updatedAt: Date?

        func encode(to encoder: any Encoder) throws {
            try configuration.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(revision, forKey: .revision)
            try container.encodeIfPresent(updatedBy, forKey: .updatedBy)
            try container.encodeIfPresent(updatedAt, forKey: .updatedAt)
            try container.encode(PromptTemplate.all.map(\.version), forKey: .promptVersions)
        }

        enum CodingKeys: String, CodingKey {
            case revision, updatedBy = "updated_by", updatedAt = "updated_at", promptVersions = "prompt_versions_available"
        }
    }

    static let schemas: [String: JSONValue] = [
        "ReviewerTier": [
            "type": "object", "required": ["provider", "model", "context_window", "max_output_tokens"],
            "properties": [
                "provider": ["type": "string", "description": "Name of a provider from /api/v1/providers."],
                "model": ["type": "string", "maxLength": 200],
                "context_window": ["type": "integer", "minimum": 1024, "maximum": 10_000_000],
                "max_output_tokens": ["type": "integer", "minimum": 64, "maximum": 1_000_000],
                "input_price_per_million": ["type": "number", "minimum": 0, "maximum": 10000, "description": "US dollars."],
                "output_price_per_million": ["type": "number", "minimum": 0, "maximum": 10000, "description": "US dollars."],
                "concurrency": ["type": "integer", "minimum": 1, "maximum": 256, "description": "Calls in flight at once (default 4)."],
                "queue_limit": ["type": "integer", "minimum": 0, "maximum": 10000, "description": "Calls that may wait (default 16)."],
            ],
        ],
        "ReviewerBudget": [
            "type": ["object", "null"],
            "properties": [
                "soft_limit_usd": ["type": ["number", "null"], "minimum": 0], "hard_limit_usd": ["type": ["number", "null"], "minimum": 0],
            ],
        ],
        "PutReviewerConfig": [
            "type": "object", "required": ["tiers"],
            "properties": [
                "tiers": ["type": "array", "maxItems": 3, "items": .ref("ReviewerTier")], "budget": .ref("ReviewerBudget"),
                "prompt_version": ["type": "string"], "streaming": ["type": "boolean"],
                "model_deadline_ms": [
                    "type": "integer", "minimum": 1000, "maximum": 1_800_000,
                    "description": "Longest the models may take over one review (default 120000); the rest is left to the analyzer.",
                ],
            ],
        ],
        "ReviewerConfig": [
            "type": "object",
            "required": ["tiers", "prompt_version", "streaming", "model_deadline_ms", "revision", "prompt_versions_available"],
            "properties": [
                "tiers": ["type": "array", "items": .ref("ReviewerTier")], "budget": .ref("ReviewerBudget"),
                "prompt_version": ["type": "string"], "streaming": ["type": "boolean"], "model_deadline_ms": ["type": "integer"],
                "revision": ["type": "integer", "description": "0 before the first change; also the ETag."],
                "updated_by": ["type": "string"], "updated_at": ["type": "string", "format": "date-time"],
                "prompt_versions_available": ["type": "array", "items": ["type": "string"]],
            ],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/reviewer-config", operationID: "getReviewerConfig",
                summary: "The reviewer chain: model tiers before the analyzer, budget, prompt version. The ETag is the revision.",
                tags: ["ai"], access: .requires(.manageAI), responses: [200: .init("The configuration.", schema: .ref("ReviewerConfig"))]),
            use: get)
        api.on(
            RouteDocumentation(
                method: .put, path: "/api/v1/reviewer-config", operationID: "putReviewerConfig",
                summary: "Replace the reviewer chain. Send If-Match with the ETag you read to refuse a lost update. Audited.",
                tags: ["ai"], access: .requires(.manageAI), requestBody: .ref("PutReviewerConfig"),
                responses: [
                    200: .init("Stored.", schema: .ref("ReviewerConfig")),
                    400: .problem("The body is not the JSON this route takes."),
                    412: .problem("If-Match names an older revision; read it again."),
                    422: .problem("A field is invalid; `errors` lists each with what to change."),
                ]),
            use: put)
    }

    static func etag(_ revision: Int64) -> String { "\"\(revision)\"" }

    @Sendable func get(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let stored = try await ai.store.reviewerConfig(organizationID: principal.organizationID)
        let configuration = try stored.map { try JSONDecoder().decode(ReviewerConfiguration.self, from: Data($0.document.utf8)) }
        var response = try ConfigResponse(
            configuration: configuration ?? .analyzerOnly, revision: stored?.revision ?? 0, updatedBy: stored?.updatedBy,
            updatedAt: stored?.updatedAt
        ).response(from: request, context: context)
        response.headers[.eTag] = Self.etag(stored?.revision ?? 0)
        return response
    }

    @Sendable func put(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var expected: Int64?
        if let match = request.headers[.ifMatch] {
            guard let revision = Int64(match.trimmingCharacters(in: CharacterSet(charactersIn: "W/\" "))) else {
                throw Problem.badRequest("If-Match must be the ETag of GET /api/v1/reviewer-config, such as \"3\".")
            }
            expected = revision
        }
        let configuration = try await request.decodeJSON(as: ReviewerConfiguration.self, context: context)
        let providers = Set(try await ai.store.providers(organizationID: principal.organizationID).map(\.name))
        let problems = configuration.problems(providers: providers)
        guard problems.isEmpty else { throw ProvidersController.invalid(problems, title: "Invalid reviewer configuration") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard
            let stored = try await ai.store.putReviewerConfig(
                organizationID: principal.organizationID, document: String(decoding: try encoder.encode(configuration), as: UTF8.self),
                expectedRevision: expected, by: try context.actor())
        else {
            let current = try await ai.store.reviewerConfig(organizationID: principal.organizationID)?.revision ?? 0
            throw Problem(
                .preconditionFailed, slug: "stale-revision", title: "The configuration changed",
                detail: "If-Match names revision \(expected ?? 0) but the configuration is at revision \(current); read it again and reapply your change.",
                headers: [.eTag: Self.etag(current)], extensions: ["current_revision": .number(Double(current))])
        }
        var response = try ConfigResponse(
            configuration: configuration, revision: stored.revision, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt
        ).response(from: request, context: context)
        response.headers[.eTag] = Self.etag(stored.revision)
        return response
    }
}
