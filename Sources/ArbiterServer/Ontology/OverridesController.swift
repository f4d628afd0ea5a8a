import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Emergency overrides: someone asks, with a justification, to write to a protected branch without an issue
/// reference or the usual approvals; a different administrator approves; the override works once, for its
/// requester, on its branch, for 24 hours. Every step is audited.
struct OverridesController: Sendable {
    let overrides: OverrideRepository
    let repository: OntologyRepository
    let audit: AuditLog
    let clock: any WallClock

    struct RequestOverride: Decodable {
        let branch: String
        let justification: String
    }

    struct OverrideResponse: ResponseEncodable {
        let override: Override

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(override.id, forKey: .id)
            try container.encode(override.branch, forKey: .branch)
            try container.encode(override.justification, forKey: .justification)
            try container.encode(override.requestedBy, forKey: .requestedBy)
            try container.encode(override.status.rawValue, forKey: .status)
            try container.encodeIfPresent(override.decidedBy, forKey: .decidedBy)
            try container.encodeIfPresent(override.decidedAt, forKey: .decidedAt)
            try container.encodeIfPresent(override.expiresAt, forKey: .expiresAt)
            try container.encodeIfPresent(override.usedAt, forKey: .usedAt)
            try container.encodeIfPresent(override.usedCommit, forKey: .usedCommit)
            try container.encode(override.createdAt, forKey: .createdAt)
        }

        enum CodingKeys: String, CodingKey {
            case id, branch, justification, status
            case requestedBy = "requested_by", decidedBy = "decided_by", decidedAt = "decided_at", expiresAt = "expires_at", usedAt = "used_at"
            case usedCommit = "used_commit", createdAt = "created_at"
        }
    }

    struct OverrideList: ResponseEncodable { let items: [OverrideResponse] }

    static let schemas: [String: JSONValue] = [
        "RequestOverride": [
            "type": "object", "required": ["branch", "justification"],
            "properties": [
                "branch": ["type": "string"],
                "justification": ["type": "string", "minLength": .number(Double(OverrideRepository.minimumJustification)), "maxLength": 2000],
            ],
        ],
        "Override": [
            "type": "object", "required": ["id", "branch", "justification", "requested_by", "status", "created_at"],
            "properties": [
                "id": ["type": "string"], "branch": ["type": "string"], "justification": ["type": "string"], "requested_by": ["type": "string"],
                "status": ["type": "string", "enum": ["pending", "approved", "rejected", "used"]], "decided_by": ["type": "string"],
                "decided_at": ["type": "string", "format": "date-time"], "expires_at": ["type": "string", "format": "date-time"],
                "used_at": ["type": "string", "format": "date-time"], "used_commit": ["type": "string"],
                "created_at": ["type": "string", "format": "date-time"],
            ],
        ],
        "OverrideList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("Override")]]],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/overrides", operationID: "requestOverride",
                summary: "Ask for an emergency override of a protected branch's governance, with a justification of at least 20 characters. Audited.",
                tags: ["ontology"], access: .requires(.writeOntology), requestBody: .ref("RequestOverride"),
                responses: [
                    201: .init("Requested; pending approval.", schema: .ref("Override")), 400: .problem("Bad body or branch name."),
                    404: .problem("No such branch."), 422: .problem("The justification is too short."),
                ]),
            use: request)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/overrides", operationID: "listOverrides", summary: "Overrides, newest first.", tags: ["ontology"],
                access: .requires(.readOntology),
                queryParameters: [("limit", ["type": "integer", "minimum": 1, "maximum": 100], "At most this many (default 50).")],
                responses: [200: .init("Overrides.", schema: .ref("OverrideList")), 400: .problem("Bad limit.")]),
            use: list)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/overrides/{id}", operationID: "getOverride", summary: "One override.", tags: ["ontology"],
                access: .requires(.readOntology), responses: [200: .init("The override.", schema: .ref("Override")), 404: .problem("No such override.")]),
            use: get)
        for (name, approve) in [("approve", true), ("reject", false)] {
            api.on(
                RouteDocumentation(
                    method: .post, path: "/api/v1/overrides/{id}/\(name)", operationID: "\(name)Override",
                    summary: "\(approve ? "Approve" : "Reject") someone else's pending override (admin). Audited.", tags: ["ontology"],
                    access: .requires(.approveOverrides),
                    responses: [
                        200: .init("Decided.", schema: .ref("Override")), 403: .problem("You requested it."), 404: .problem("No such override."),
                        409: .problem("It is not pending."),
                    ]),
                use: { request, context in try await self.decide(request, context, approve: approve) })
        }
    }

    @Sendable func request(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(as: RequestOverride.self, context: context)
        try OntologyController.validateBranchName(body.branch)
        let justification = body.justification.trimmingCharacters(in: .whitespacesAndNewlines)
        guard justification.count >= OverrideRepository.minimumJustification, justification.count <= 2_000 else {
            throw Problem(
                .unprocessableContent, slug: "justification-too-short", title: "Justification too short",
                detail: "Say why the override is needed in \(OverrideRepository.minimumJustification) to 2000 characters; you wrote \(justification.count).")
        }
        try await repository.initialize(organizationID: principal.organizationID, by: "system")
        guard try await repository.branch(organizationID: principal.organizationID, name: body.branch) != nil else {
            throw Problem.notFound("Your organization's ontology has no branch \(body.branch).")
        }
        let actor = try context.actor()
        let override = try await overrides.request(
            organizationID: principal.organizationID, branch: body.branch, justification: justification, by: actor.reference)
        try await audit.record(
            AuditEvent(
                .admin, action: "ontology.override.request", actor: actor.reference, organizationID: principal.organizationID,
                target: "override:\(override.id)", details: ["branch": body.branch], origin: actor.origin))
        var response = try OverrideResponse(override: override).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/overrides/\(override.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> OverrideList {
        let principal = try context.requirePrincipal()
        return OverrideList(
            items: try await overrides.list(organizationID: principal.organizationID, limit: try QueryParameters.limit(request)).map(OverrideResponse.init))
    }

    func found(_ context: ArbiterRequestContext) async throws -> Override {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        guard id.count <= 64, let override = try await overrides.find(organizationID: principal.organizationID, id: id) else {
            throw Problem.notFound("Your organization has no override \(id.prefix(64)).")
        }
        return override
    }

    @Sendable func get(_ request: Request, context: ArbiterRequestContext) async throws -> OverrideResponse {
        OverrideResponse(override: try await found(context))
    }

    func decide(_ request: Request, _ context: ArbiterRequestContext, approve: Bool) async throws -> OverrideResponse {
        let principal = try context.requirePrincipal()
        let override = try await found(context)
        let actor = try context.actor()
        guard override.requestedBy != actor.reference else {
            try await audit.record(
                AuditEvent(
                    .admin, action: "ontology.override.\(approve ? "approve" : "reject")", actor: actor.reference,
                    organizationID: principal.organizationID, target: "override:\(override.id)", outcome: .denied,
                    details: ["reason": "own request"], origin: actor.origin))
            throw Problem(
                .forbidden, slug: "own-override", title: "Your own override", detail: "A different administrator must decide an override you requested.")
        }
        guard let decided = try await overrides.decide(organizationID: principal.organizationID, id: override.id, approve: approve, by: actor.reference)
        else {
            throw Problem(.conflict, slug: "override-decided", title: "Already decided", detail: "The override is \(override.status.rawValue), not pending.")
        }
        try await audit.record(
            AuditEvent(
                .admin, action: "ontology.override.\(approve ? "approve" : "reject")", actor: actor.reference,
                organizationID: principal.organizationID, target: "override:\(override.id)", details: ["branch": override.branch], origin: actor.origin))
        return OverrideResponse(override: decided)
    }
}
