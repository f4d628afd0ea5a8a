import ArbiterCore
import ArbiterOntology
import Foundation
import HTTPTypes
import Hummingbird

extension ProposalsController {
    @Sendable func merge(_ request: Request, context: ArbiterRequestContext) async throws -> ProposalResponse {
        let principal = try context.requirePrincipal()
        let organizationID = principal.organizationID
        let proposal = try await found(context)
        let body = try await request.decodeJSON(as: Merge.self, context: context)
        let squash: Bool
        switch body.strategy ?? "merge" {
        case "merge": squash = false
        case "squash": squash = true
        default: throw Problem.badRequest("`strategy` must be merge or squash.")
        }
        guard (body.message ?? "").count <= 2_000 else { throw Problem.badRequest("`message` is at most 2000 characters.") }
        guard [.open, .approved].contains(proposal.status) else {
            throw Problem(
                .conflict, slug: "proposal-not-open", title: "Not open", detail: "The proposal is \(proposal.status.rawValue); only open or approved proposals merge.")
        }
        guard let target = try await repository.branch(organizationID: organizationID, name: proposal.target),
            let targetHead = try await repository.resolve(organizationID: organizationID, reference: target.head),
            let sourceHead = try await repository.resolve(organizationID: organizationID, reference: proposal.source)
        else { throw Problem.notFound("The proposal's source or target branch no longer exists.") }
        let approvals = try await approvals(proposal, organizationID: organizationID).count
        let overriding = request.headers[.overrideID] != nil
        guard approvals >= target.requiredApprovals || overriding else {
            throw Problem(
                .conflict, slug: "approvals-required", title: "Approvals required",
                detail: "\(target.name) needs \(target.requiredApprovals) approval\(target.requiredApprovals == 1 ? "" : "s") from someone other than the author; "
                    + "this proposal has \(approvals).")
        }
        // Issue references: the body, the X-Issue-ID header, the message.
        var references = try OntologyController.issueReferences(request).references
        for item in body.issueReferences ?? [] {
            let found = IssueReference.all(in: item)
            guard found.count == 1 else {
                throw Problem(
                    .unprocessableContent, slug: "invalid-issue-reference", title: "Invalid issue reference",
                    detail: "`issue_references` has '\(item.prefix(40))', which is not an issue reference; use \(IssueReference.formats).")
            }
            references += found
        }
        references += IssueReference.all(in: body.message ?? "")
        var seen = Set<IssueReference>()
        references = references.filter { seen.insert($0).inserted }
        let override = try await governance.governance(
            target, references: overriding ? [] : references, request: request, principal: principal, context: context,
            what: "Merges into", alsoAccepted: "give `issue_references` in the body, or ")
        let (_, result) = try await repository.merge(organizationID: organizationID, source: sourceHead, into: targetHead)
        guard result.isClean else {
            let conflicts = result.conflicts.map(Self.conflict)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let list = (try? JSONDecoder().decode(JSONValue.self, from: encoder.encode(conflicts))) ?? .array([])
            throw Problem(
                .conflict, slug: "merge-conflicts", title: "Merge conflicts",
                detail: "\(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): "
                    + conflicts.prefix(5).map { "\($0.kind) on \($0.resource)\($0.field.map { " \($0)" } ?? "")" }.joined(separator: "; ")
                    + ". Resolve them on \(proposal.source) (for example by merging \(proposal.target) into it) and merge again.",
                extensions: ["conflicts": list])
        }
        let issues = try await OntologyController.validate(result.changes, repository: repository, organizationID: organizationID, at: targetHead)
        guard issues.isEmpty else { throw OntologyController.invalid(issues) }
        let commit: Commit
        do {
            commit = try await repository.commit(
                organizationID: organizationID, branch: target.name, changes: result.changes, expectedHead: targetHead.id,
                author: try context.actor().reference,
                message: body.message ?? "\(squash ? "Squash" : "Merge") \(proposal.source) into \(proposal.target): \(proposal.title)",
                issueReferences: references.map(\.key), mergedParent: squash ? nil : sourceHead.id,
                alsoInTransaction: OntologyController.both(
                    governance.lockGuard(Array(result.changes.keys), branch: target, request: request, principal: principal),
                    try governance.spend(override, branch: target, principal: principal, context: context)))
        } catch RepositoryError.staleHead(_, let current) {
            throw Problem(
                .conflict, slug: "target-moved", title: "The target moved",
                detail: "\(target.name) moved to \(current) while merging; merge again.", headers: [.retryAfter: "1"])
        }
        guard
            let merged = try await proposals.record(
                organizationID: organizationID, proposalID: proposal.id, kind: .status, author: try context.actor().reference, body: "merged",
                status: (to: .merged, from: [.open, .approved], mergedCommit: commit.id))
        else {
            throw Problem(.conflict, slug: "proposal-not-open", title: "Not open", detail: "The proposal changed status while merging.")
        }
        return try await response(merged, organizationID: organizationID, details: false)
    }
}
