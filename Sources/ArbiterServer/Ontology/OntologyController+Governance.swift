import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Protected-branch governance (issue references, emergency overrides) and lock checks for writes and merges.
extension OntologyController {
    /// Checks a protected branch's governance: an issue reference, or an approved override (`X-Override-ID`) the
    /// caller requested for this branch. Returns the override to spend with the commit, if one is used.
    func governance(
        _ branch: Branch, references: [IssueReference], request: Request, principal: Principal, context: ArbiterRequestContext, what: String,
        alsoAccepted: String = ""
    ) async throws -> Override? {
        guard branch.isProtected, !Self.exemptPrefixes.contains(where: { branch.name.hasPrefix($0) }) else { return nil }
        if let id = request.headers[.overrideID] {
            guard id.count <= 64, let override = try await overrides.find(organizationID: principal.organizationID, id: id) else {
                throw Problem.notFound("Your organization has no override \(id.prefix(64)).")
            }
            let actor = try context.actor().reference
            guard override.requestedBy == actor, override.branch == branch.name else {
                throw Problem(
                    .forbidden, slug: "override-not-yours", title: "Not your override",
                    detail: "Override \(override.id) was requested by \(override.requestedBy) for \(override.branch); only its requester may use it, on that branch.")
            }
            guard override.isUsable(at: clock.now()) else {
                throw Problem(
                    .conflict, slug: "override-unusable", title: "Override cannot be used",
                    detail: "Override \(override.id) is \(override.status.rawValue)\(override.status == .approved ? " but expired" : ""); an override works once, "
                        + "after a different administrator approves it, within 24 hours.")
            }
            return override
        }
        guard references.isEmpty else { return nil }
        throw Problem(
            .unprocessableContent, slug: "issue-reference-required", title: "Issue reference required",
            detail: "\(what) the protected branch \(branch.name) need an issue reference: \(alsoAccepted)send the header X-Issue-ID (\(IssueReference.formats); "
                + "several comma-separated), or name the issue in X-Commit-Message. Branches starting with "
                + "\(Self.exemptPrefixes.joined(separator: ", ")) need none. In an emergency, request an override (POST /api/v1/overrides) "
                + "and send its id as X-Override-ID once a different administrator has approved it.")
    }

    /// Spends `override` in the commit's transaction, auditing its use; refuses the commit if it was spent meanwhile.
    func spend(
        _ override: Override?, branch: Branch, principal: Principal, context: ArbiterRequestContext
    ) throws -> (@Sendable (any SQLExecutor, Commit) async throws -> Void)? {
        guard let override else { return nil }
        let actor = try context.actor()
        let overrides = overrides
        let audit = audit
        return { executor, commit in
            guard
                try await overrides.use(
                    organizationID: principal.organizationID, id: override.id, branch: branch.name, by: actor.reference, commit: commit.id, on: executor)
                    != nil
            else {
                throw Problem(.conflict, slug: "override-unusable", title: "Override cannot be used", detail: "Override \(override.id) was used or expired meanwhile.")
            }
            try await audit.append(
                AuditEvent(
                    .admin, action: "ontology.override.use", actor: actor.reference, organizationID: principal.organizationID,
                    target: "override:\(override.id)", details: ["branch": branch.name, "commit": commit.id], origin: actor.origin),
                on: executor)
        }
    }

    /// Inside a write's transaction: refuses with `423` when someone else's lock covers one of `keys`, and with `409`
    /// when the writer presents a lock token (`X-Lock-Token`) that is no longer live.
    func lockGuard(_ keys: [ResourceKey], branch: Branch, request: Request, principal: Principal) -> @Sendable (any SQLExecutor, Commit) async throws -> Void {
        let token = request.headers[.lockToken].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let locks = locks
        let clock = clock
        return { executor, _ in
            for key in keys.sorted() {
                do {
                    if let blocking = try await locks.check(
                        organizationID: principal.organizationID, key: key, branch: branch.name, fencingToken: token, on: executor)
                    {
                        throw LocksController.locked(blocking, now: clock.now())
                    }
                } catch LockError.notHeld {
                    throw Problem(
                        .conflict, slug: "lock-token-stale", title: "Lock token not live",
                        detail: "X-Lock-Token \(token.map(String.init) ?? "") names no live lock of yours over \(key) on \(branch.name) "
                            + "(it expired or was released); acquire the lock again.")
                }
            }
        }
    }

    /// Both steps, in order; either may be absent.
    static func both(
        _ first: (@Sendable (any SQLExecutor, Commit) async throws -> Void)?, _ second: (@Sendable (any SQLExecutor, Commit) async throws -> Void)?
    ) -> @Sendable (any SQLExecutor, Commit) async throws -> Void {
        { executor, commit in
            try await first?(executor, commit)
            try await second?(executor, commit)
        }
    }
}

extension HTTPField.Name {
    /// Issue references for ontology writes.
    static let issueID = HTTPField.Name("X-Issue-ID")!
    /// The message of the commit a write makes (percent-encoded when it is not ASCII).
    static let commitMessage = HTTPField.Name("X-Commit-Message")!
    /// An approved emergency override to spend on this write or merge.
    static let overrideID = HTTPField.Name("X-Override-ID")!
    /// The fencing token of the writer's own lock.
    static let lockToken = HTTPField.Name("X-Lock-Token")!
}
