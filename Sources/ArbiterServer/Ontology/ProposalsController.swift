import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Change proposals from one branch into another: comments, approvals by someone other than the author, status,
/// and the merge itself (three-way, `merge` or `squash`), which reports conflicts per resource and field.
struct ProposalsController: Sendable {
    let proposals: ProposalRepository
    let repository: OntologyRepository
    let governance: OntologyController

    struct CreateProposal: Decodable {
        let source: String
        let target: String?
        let title: String
        let description: String?
        let reviewers: [String]?
        let draft: Bool?
    }

    struct Comment: Decodable { let body: String }
    struct StatusChange: Decodable { let status: String }

    struct Merge: Decodable {
        let strategy: String?
        let message: String?
        let issueReferences: [String]?
        enum CodingKeys: String, CodingKey { case strategy, message, issueReferences = "issue_references" }
    }

    struct ProposalResponse: ResponseEncodable {
        struct Event: Encodable {
            let id: String
            let kind: String
            let author: String
            let body: String
            let createdAt: Date
            enum CodingKeys: String, CodingKey { case id, kind, author, body, createdAt = "created_at" }
        }
        struct Conflict: Encodable {
            let kind: String
            let resource: String
            let field: String?
            let base: JSONValue?
            let ours: JSONValue?
            let theirs: JSONValue?
        }
        let proposal: Proposal
        let approvals: Int
        let events: [Event]?
        let conflicts: [Conflict]?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(proposal.id, forKey: .id)
            try container.encode(proposal.source, forKey: .source)
            try container.encode(proposal.target, forKey: .target)
            try container.encode(proposal.title, forKey: .title)
            try container.encode(proposal.description, forKey: .description)
            try container.encode(proposal.status.rawValue, forKey: .status)
            try container.encode(proposal.author, forKey: .author)
            try container.encode(proposal.reviewers, forKey: .reviewers)
            try container.encodeIfPresent(proposal.mergedCommit, forKey: .mergedCommit)
            try container.encode(proposal.createdAt, forKey: .createdAt)
            try container.encode(proposal.updatedAt, forKey: .updatedAt)
            try container.encode(approvals, forKey: .approvals)
            try container.encodeIfPresent(events, forKey: .events)
            try container.encodeIfPresent(conflicts, forKey: .conflicts)
        }

        enum CodingKeys: String, CodingKey {
            case id, source, target, title, description, status, author, reviewers, approvals, events, conflicts
            case mergedCommit = "merged_commit", createdAt = "created_at", updatedAt = "updated_at"
        }
    }

    struct ProposalList: ResponseEncodable { let items: [ProposalResponse] }

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/proposals", operationID: "createProposal", summary: "Propose merging one branch into another.",
                tags: ["ontology"], access: .requires(.writeOntology), requestBody: .ref("CreateProposal"),
                responses: [
                    201: .init("Created.", schema: .ref("Proposal")), 400: .problem("Bad body."), 404: .problem("No such branch."),
                    422: .problem("Source and target are the same branch."),
                ]),
            use: create)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/proposals", operationID: "listProposals", summary: "Proposals, newest first.", tags: ["ontology"],
                access: .requires(.readOntology),
                queryParameters: [
                    ("status", ["type": "string", "enum": ["draft", "open", "approved", "merged", "rejected"]], "Only this status."),
                    ("limit", ["type": "integer", "minimum": 1, "maximum": 100], "At most this many (default 50)."),
                ],
                responses: [200: .init("Proposals.", schema: .ref("ProposalList")), 400: .problem("Bad query.")]),
            use: list)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/proposals/{id}", operationID: "getProposal",
                summary: "A proposal with its comments, approvals and, while open, the conflicts a merge would meet now.", tags: ["ontology"],
                access: .requires(.readOntology), responses: [200: .init("The proposal.", schema: .ref("Proposal")), 404: .problem("No such proposal.")]),
            use: get)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/proposals/{id}/comments", operationID: "commentProposal", summary: "Comment on a proposal.",
                tags: ["ontology"], access: .requires(.readOntology), requestBody: .ref("ProposalComment"),
                responses: [201: .init("The proposal.", schema: .ref("Proposal")), 400: .problem("Bad body."), 404: .problem("No such proposal.")]),
            use: comment)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/proposals/{id}/approvals", operationID: "approveProposal",
                summary: "Approve a proposal (not your own). Enough approvals for the target branch make it approved.", tags: ["ontology"],
                access: .requires(.writeOntology),
                responses: [
                    201: .init("The proposal.", schema: .ref("Proposal")), 403: .problem("You wrote it."), 404: .problem("No such proposal."),
                    409: .problem("It is not open."),
                ]),
            use: approve)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/proposals/{id}/status", operationID: "setProposalStatus",
                summary: "Move a proposal between draft and open, or reject it.", tags: ["ontology"], access: .requires(.writeOntology),
                requestBody: .ref("ProposalStatus"),
                responses: [
                    200: .init("The proposal.", schema: .ref("Proposal")), 400: .problem("Bad body."), 404: .problem("No such proposal."),
                    409: .problem("Not allowed from its current status."),
                ]),
            use: setStatus)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/proposals/{id}/merge", operationID: "mergeProposal",
                summary: "Merge the proposal (strategy merge: a commit with both parents; squash: one parent). Conflicts answer 409 listing each.",
                tags: ["ontology"], access: .requires(.writeOntology), requestBody: .ref("MergeProposal"),
                responses: [
                    200: .init("Merged.", schema: .ref("Proposal")), 400: .problem("Bad body."), 404: .problem("No such proposal."),
                    409: .problem("Conflicts (listed in `conflicts`), missing approvals, or not open."),
                    422: .problem("The target is protected and no issue reference was given, or the merged resources are invalid."),
                    423: .problem("Someone else's lock covers a resource the merge changes."),
                ]),
            use: merge)
    }

    func found(_ context: ArbiterRequestContext) async throws -> Proposal {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        guard id.count <= 64, let proposal = try await proposals.find(organizationID: principal.organizationID, id: id) else {
            throw Problem.notFound("Your organization has no proposal \(id.prefix(64)).")
        }
        return proposal
    }

    func approvals(_ proposal: Proposal, organizationID: String) async throws -> (count: Int, events: [ProposalEvent]) {
        let events = try await proposals.events(organizationID: organizationID, proposalID: proposal.id)
        return (Set(events.filter { $0.kind == .approval && $0.author != proposal.author }.map(\.author)).count, events)
    }

    func response(_ proposal: Proposal, organizationID: String, details: Bool) async throws -> ProposalResponse {
        let (count, events) = try await approvals(proposal, organizationID: organizationID)
        var conflicts: [ProposalResponse.Conflict]?
        if details, [.open, .approved, .draft].contains(proposal.status),
            let source = try await repository.resolve(organizationID: organizationID, reference: proposal.source),
            let target = try await repository.resolve(organizationID: organizationID, reference: proposal.target)
        {
            conflicts = try await repository.merge(organizationID: organizationID, source: source, into: target).result.conflicts.map(Self.conflict)
        }
        return ProposalResponse(
            proposal: proposal, approvals: count,
            events: details ? events.map { .init(id: $0.id, kind: $0.kind.rawValue, author: $0.author, body: $0.body, createdAt: $0.createdAt) } : nil,
            conflicts: conflicts)
    }

    static func conflict(_ conflict: MergeConflict) -> ProposalResponse.Conflict {
        .init(
            kind: conflict.kind.rawValue, resource: conflict.resource.description, field: conflict.field, base: conflict.base, ours: conflict.ours,
            theirs: conflict.theirs)
    }

    @Sendable func create(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(as: CreateProposal.self, context: context)
        let target = body.target ?? OntologyRepository.defaultBranch
        try OntologyController.validateBranchName(body.source)
        try OntologyController.validateBranchName(target)
        let title = body.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.count), (body.description ?? "").count <= 10_000, (body.reviewers ?? []).count <= 20,
            (body.reviewers ?? []).allSatisfy({ (1...200).contains($0.count) })
        else { throw Problem.badRequest("`title` is 1 to 200 characters, `description` at most 10000, `reviewers` at most 20 names.") }
        guard body.source != target else {
            throw Problem(.unprocessableContent, slug: "same-branch", title: "Same branch", detail: "`source` and `target` are both \(target).")
        }
        try await repository.initialize(organizationID: principal.organizationID, by: "system")
        for name in [body.source, target] where try await repository.branch(organizationID: principal.organizationID, name: name) == nil {
            throw Problem.notFound("Your organization's ontology has no branch \(name).")
        }
        let proposal = try await proposals.create(
            organizationID: principal.organizationID, source: body.source, target: target, title: title, description: body.description ?? "",
            draft: body.draft ?? false, author: try context.actor().reference, reviewers: body.reviewers ?? [])
        var response = try await self.response(proposal, organizationID: principal.organizationID, details: false).response(from: request, context: context)
        response.status = .created
        response.headers[.location] = "/api/v1/proposals/\(proposal.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> ProposalList {
        let principal = try context.requirePrincipal()
        var status: Proposal.Status?
        if let name = try QueryParameters.string(request, "status", maximumLength: 20) {
            guard let known = Proposal.Status(rawValue: name) else {
                throw Problem.badRequest("`status` must be one of \(Proposal.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            status = known
        }
        let items = try await proposals.list(organizationID: principal.organizationID, status: status, limit: try QueryParameters.limit(request))
        var responses: [ProposalResponse] = []
        for item in items { responses.append(try await response(item, organizationID: principal.organizationID, details: false)) }
        return ProposalList(items: responses)
    }

    @Sendable func get(_ request: Request, context: ArbiterRequestContext) async throws -> ProposalResponse {
        let principal = try context.requirePrincipal()
        return try await response(try await found(context), organizationID: principal.organizationID, details: true)
    }

    @Sendable func comment(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let proposal = try await found(context)
        let body = try await request.decodeJSON(as: Comment.self, context: context)
        guard (1...10_000).contains(body.body.count) else { throw Problem.badRequest("`body` is 1 to 10000 characters.") }
        _ = try await proposals.record(
            organizationID: principal.organizationID, proposalID: proposal.id, kind: .comment, author: try context.actor().reference, body: body.body)
        var response = try await self.response(proposal, organizationID: principal.organizationID, details: true).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func approve(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let proposal = try await found(context)
        let actor = try context.actor().reference
        guard actor != proposal.author else {
            throw Problem(.forbidden, slug: "own-proposal", title: "Your own proposal", detail: "Someone other than its author must approve a proposal.")
        }
        guard [.open, .approved].contains(proposal.status) else {
            throw Problem(.conflict, slug: "proposal-not-open", title: "Not open", detail: "The proposal is \(proposal.status.rawValue); only open proposals are approved.")
        }
        _ = try await proposals.record(organizationID: principal.organizationID, proposalID: proposal.id, kind: .approval, author: actor, body: "approved")
        let required = max(1, try await repository.branch(organizationID: principal.organizationID, name: proposal.target)?.requiredApprovals ?? 1)
        var current = proposal
        if try await approvals(proposal, organizationID: principal.organizationID).count >= required,
            let moved = try await proposals.record(
                organizationID: principal.organizationID, proposalID: proposal.id, kind: .status, author: "system", body: "approved",
                status: (to: .approved, from: [.open], mergedCommit: nil))
        {
            current = moved
        }
        var response = try await self.response(current, organizationID: principal.organizationID, details: true).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func setStatus(_ request: Request, context: ArbiterRequestContext) async throws -> ProposalResponse {
        let principal = try context.requirePrincipal()
        let proposal = try await found(context)
        let body = try await request.decodeJSON(as: StatusChange.self, context: context)
        let allowed: [String: (Proposal.Status, Set<Proposal.Status>)] = [
            "open": (.open, [.draft]), "draft": (.draft, [.open]), "rejected": (.rejected, [.draft, .open, .approved]),
        ]
        guard let (to, from) = allowed[body.status] else { throw Problem.badRequest("`status` must be open, draft or rejected.") }
        guard
            let moved = try await proposals.record(
                organizationID: principal.organizationID, proposalID: proposal.id, kind: .status, author: try context.actor().reference, body: body.status,
                status: (to: to, from: from, mergedCommit: nil))
        else {
            throw Problem(
                .conflict, slug: "proposal-status", title: "Status change not allowed",
                detail: "The proposal is \(proposal.status.rawValue); it can become \(body.status) only from \(from.map(\.rawValue).sorted().joined(separator: " or ")).")
        }
        return try await response(moved, organizationID: principal.organizationID, details: true)
    }
}
