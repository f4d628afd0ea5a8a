import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Searching a branch's ontology by name, property and link, and the state of its search index. Searches read
/// the index's active generation; when the branch has moved past it a rebuild starts in the background and the
/// answer says it is stale until the switch.
struct SearchController: Sendable {
    let service: SearchIndexService
    let repository: OntologyRepository
    let locks: LockRepository

    struct Hit: Encodable {
        struct Match: Encodable {
            let field: String
            let text: String
        }
        let kind: String
        let id: String
        let matches: [Match]
    }

    struct SearchResponse: ResponseEncodable {
        let branch: String
        /// The commit the index reflects.
        let commit: String
        let head: String
        let stale: Bool
        let items: [Hit]
    }

    struct StateResponse: ResponseEncodable {
        let state: JSONValue
        func encode(to encoder: any Encoder) throws { try state.encode(to: encoder) }
    }

    static let schemas: [String: JSONValue] = [
        "SearchResults": [
            "type": "object", "required": ["branch", "commit", "head", "stale", "items"],
            "properties": [
                "branch": ["type": "string"], "commit": ["type": "string", "description": "The commit the index reflects."],
                "head": ["type": "string"], "stale": ["type": "boolean", "description": "The branch has moved on; a rebuild is under way."],
                "items": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["kind", "id", "matches"],
                        "properties": [
                            "kind": ["type": "string"], "id": ["type": "string"],
                            "matches": [
                                "type": "array",
                                "items": [
                                    "type": "object", "required": ["field", "text"],
                                    "properties": ["field": ["type": "string", "enum": ["name", "property", "link"]], "text": ["type": "string"]],
                                ],
                            ],
                        ],
                    ],
                ],
            ],
        ],
        "SearchIndexState": [
            "type": "object", "required": ["branch", "state", "head", "stale"],
            "properties": [
                "branch": ["type": "string"],
                "state": ["type": "string", "enum": ["none", "building", "ready", "failed"]],
                "head": ["type": "string"], "stale": ["type": "boolean"],
                "active": [
                    "type": ["object", "null"],
                    "properties": [
                        "generation": ["type": "integer"], "commit": ["type": "string"], "entries": ["type": "integer"],
                        "built_at": ["type": "string", "format": "date-time"],
                    ],
                ],
                "build": [
                    "type": ["object", "null"],
                    "properties": [
                        "generation": ["type": "integer"], "progress": ["type": "integer", "minimum": 0, "maximum": 100],
                        "started_at": ["type": "string", "format": "date-time"], "heartbeat_at": ["type": "string", "format": "date-time"],
                        "eta": ["type": ["string", "null"], "format": "date-time"],
                        "locks": ["type": "array", "items": .ref("Lock")],
                    ],
                ],
                "error": ["type": ["string", "null"]],
            ],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/branches/{branch}/search", operationID: "searchOntology",
                summary: "Resources whose name, properties or link ends have a word or text starting with `q` (case-insensitive).",
                tags: ["ontology"], access: .requires(.readOntology),
                queryParameters: [
                    ("q", ["type": "string", "minLength": 1, "maxLength": 200], "What to look for: the start of a word or of a whole name."),
                    ("field", ["type": "string", "enum": ["name", "property", "link"]], "Only matches through this field."),
                    ("limit", ["type": "integer", "minimum": 1, "maximum": 100], "At most this many resources (default 50)."),
                ],
                responses: [
                    200: .init("Matching resources, by kind and id.", schema: .ref("SearchResults")),
                    400: .problem("`q` missing or too long, or a bad `field`, `limit` or branch name."), 404: .problem("No such branch."),
                    409: .problem("The branch has no search index yet; one is being built. Retry after `Retry-After` seconds."),
                ]),
            use: search)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/branches/{branch}/search-index", operationID: "getSearchIndex",
                summary: "The branch's search index: the generation searched, a build in progress with its progress, ETA and locks.",
                tags: ["ontology"], access: .requires(.readOntology),
                responses: [
                    200: .init("The index's state.", schema: .ref("SearchIndexState")), 400: .problem("Bad branch name."),
                    404: .problem("No such branch."),
                ]),
            use: state)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/branches/{branch}/search-index", operationID: "rebuildSearchIndex",
                summary: "Rebuild the branch's search index in the background (no-op while a build runs); searches use the old index until the switch.",
                tags: ["ontology"], access: .requires(.administerOntology),
                responses: [
                    202: .init("Building; follow it at the `Location`.", schema: .ref("SearchIndexState")), 400: .problem("Bad branch name."),
                    404: .problem("No such branch."),
                ]),
            use: rebuild)
    }

    func branch(_ context: ArbiterRequestContext) async throws -> (Principal, Branch) {
        let principal = try context.requirePrincipal()
        let name = try OntologyController.branchName(context)
        try await repository.initialize(organizationID: principal.organizationID, by: "system")
        guard let branch = try await repository.branch(organizationID: principal.organizationID, name: name) else {
            throw Problem.notFound("Your organization's ontology has no branch \(name).")
        }
        return (principal, branch)
    }

    @Sendable func search(_ request: Request, context: ArbiterRequestContext) async throws -> SearchResponse {
        let (principal, branch) = try await branch(context)
        guard let query = try QueryParameters.string(request, "q", maximumLength: 200),
            !query.trimmingCharacters(in: .whitespaces).isEmpty
        else { throw Problem.badRequest("Send `q`, the start of a name, property or linked type to look for (1 to 200 characters).") }
        let field = try request.uri.queryParameters["field"].map { raw -> SearchField in
            guard let field = SearchField(rawValue: String(raw)) else {
                throw Problem.badRequest("Query parameter `field` must be one of name, property, link.")
            }
            return field
        }
        let limit = try QueryParameters.limit(request)
        let (commit, hits) = try await service.index.search(
            organizationID: principal.organizationID, branch: branch.name, prefix: query.trimmingCharacters(in: .whitespaces), field: field,
            limit: limit)
        guard let active = commit else {
            try await service.rebuild(organizationID: principal.organizationID, branch: branch.name)
            let current = try await service.index.state(organizationID: principal.organizationID, branch: branch.name)
            throw Problem(
                .conflict, slug: "search-index-not-ready", title: "Search index not ready",
                detail:
                    "\(branch.name) has no search index yet; it is being built (\(current?.progress ?? 0)% done). Retry shortly, or follow GET /api/v1/branches/\(Self.encoded(branch.name))/search-index.",
                headers: [.retryAfter: "1"], extensions: ["progress": .number(Double(current?.progress ?? 0))])
        }
        let stale = active != branch.head
        if stale {
            // At most one build per branch runs; this is a no-op while one does.
            try await service.rebuild(organizationID: principal.organizationID, branch: branch.name)
        }
        return SearchResponse(
            branch: branch.name, commit: active, head: branch.head, stale: stale,
            items: hits.map { hit in
                Hit(kind: hit.resource.kind.rawValue, id: hit.resource.id, matches: hit.matches.map { .init(field: $0.field.rawValue, text: $0.text) })
            })
    }

    @Sendable func state(_ request: Request, context: ArbiterRequestContext) async throws -> StateResponse {
        let (principal, branch) = try await branch(context)
        return StateResponse(state: try await stateJSON(principal, branch))
    }

    @Sendable func rebuild(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let (principal, branch) = try await branch(context)
        try await service.rebuild(organizationID: principal.organizationID, branch: branch.name)
        var response = try StateResponse(state: try await stateJSON(principal, branch)).response(from: request, context: context)
        response.status = .accepted
        response.headers[.location] = "/api/v1/branches/\(Self.encoded(branch.name))/search-index"
        return response
    }

    func stateJSON(_ principal: Principal, _ branch: Branch) async throws -> JSONValue {
        let state = try await service.index.state(organizationID: principal.organizationID, branch: branch.name)
        let format = ISO8601DateFormatter()
        func date(_ value: Date?) -> JSONValue { value.map { .string(format.string(from: $0)) } ?? .null }
        var object: [String: JSONValue] = [
            "branch": .string(branch.name), "state": .string(state?.phase.rawValue ?? "none"), "head": .string(branch.head),
            "stale": .bool(state?.activeCommit != branch.head), "active": .null, "build": .null, "error": state?.error.map(JSONValue.string) ?? .null,
        ]
        if let state, let generation = state.activeGeneration, let commit = state.activeCommit {
            object["active"] = [
                "generation": .number(Double(generation)), "commit": .string(commit), "entries": .number(Double(state.activeEntries ?? 0)),
                "built_at": date(state.builtAt),
            ]
        }
        if let state, state.phase == .building, let generation = state.buildingGeneration {
            let held = try await locks.locks(organizationID: principal.organizationID, branch: branch.name)
                .filter { $0.holder == SearchIndexService.holder && $0.kind == .indexing }
            object["build"] = [
                "generation": .number(Double(generation)), "progress": .number(Double(state.progress ?? 0)), "started_at": date(state.startedAt),
                "heartbeat_at": date(state.heartbeatAt), "eta": date(state.estimatedCompletion), "locks": .array(held.map(LocksController.json)),
            ]
        }
        return .object(object)
    }

    static func encoded(_ branch: String) -> String { branch.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? branch }
}
