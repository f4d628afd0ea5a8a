import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// The ontology over HTTP: branches, commits, diffs, and the resources on a branch or at a commit. Every read
/// answers an `ETag` naming the commit it reflects; a write with a stale `If-Match` is `412`, a write without one
/// on a protected branch is `428`; writes to protected branches need an issue reference.
struct OntologyController: Sendable {
    let repository: OntologyRepository
    let overrides: OverrideRepository
    let locks: LockRepository
    let audit: AuditLog
    let clock: any WallClock

    /// Branch name prefixes whose writes need no issue reference even when protected.
    static let exemptPrefixes = ["sandbox/", "experiment/", "personal/"]

    struct BranchResponse: ResponseEncodable {
        let name: String
        let head: String
        let isProtected: Bool
        let requiredApprovals: Int
        let createdBy: String
        let createdAt: Date
        let updatedAt: Date

        init(_ branch: Branch) {
            name = branch.name
            head = branch.head
            isProtected = branch.isProtected
            requiredApprovals = branch.requiredApprovals
            createdBy = branch.createdBy
            createdAt = branch.createdAt
            updatedAt = branch.updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case name, head
            case isProtected = "protected", requiredApprovals = "required_approvals", createdBy = "created_by", createdAt = "created_at"
            case updatedAt = "updated_at"
        }
    }

    struct BranchList: ResponseEncodable { let items: [BranchResponse] }

    struct CreateBranch: Decodable {
        let name: String
        let from: String?
    }

    struct Protection: Decodable {
        let isProtected: Bool
        let requiredApprovals: Int?
        enum CodingKeys: String, CodingKey { case isProtected = "protected", requiredApprovals = "required_approvals" }
    }

    struct CommitResponse: ResponseEncodable {
        let commit: Commit
        func encode(to encoder: any Encoder) throws { try commit.encode(to: encoder) }
    }

    struct CommitList: ResponseEncodable { let items: [CommitResponse] }

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/branches", operationID: "listBranches", summary: "The ontology's branches.", tags: ["ontology"],
                access: .requires(.readOntology), responses: [200: .init("The branches.", schema: .ref("BranchList"))]),
            use: listBranches)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/branches", operationID: "createBranch",
                summary: "Create a branch at another branch's head or at a commit (default: main).", tags: ["ontology"],
                access: .requires(.writeOntology), requestBody: .ref("CreateBranch"),
                responses: [
                    201: .init("Created.", schema: .ref("Branch")), 400: .problem("Bad body or name."),
                    404: .problem("`from` names no branch or commit."), 409: .problem("A branch with this name exists."),
                ]),
            use: createBranch)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/branches/{branch}", operationID: "getBranch",
                summary: "One branch. Names with `/` are sent encoded (`sandbox%2Fx`).", tags: ["ontology"], access: .requires(.readOntology),
                responses: [200: .init("The branch.", schema: .ref("Branch")), 400: .problem("Bad name."), 404: .problem("No such branch.")]),
            use: getBranch)
        api.on(
            RouteDocumentation(
                method: .delete, path: "/api/v1/branches/{branch}", operationID: "deleteBranch",
                summary: "Delete a branch; its commits stay readable by id. Protected branches and main cannot be deleted.", tags: ["ontology"],
                access: .requires(.writeOntology),
                responses: [
                    204: .init("Deleted.", contentType: nil), 400: .problem("Bad name."), 404: .problem("No such branch."),
                    409: .problem("The branch is protected or is main."),
                ]),
            use: deleteBranch)
        api.on(
            RouteDocumentation(
                method: .put, path: "/api/v1/branches/{branch}/protection", operationID: "protectBranch",
                summary: "Protect a branch (no direct writes without If-Match, issue references required) and set its required approvals. Audited.",
                tags: ["ontology"], access: .requires(.administerOntology), requestBody: .ref("BranchProtection"),
                responses: [200: .init("The branch.", schema: .ref("Branch")), 400: .problem("Bad body or name."), 404: .problem("No such branch.")]),
            use: protect)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/branches/{branch}/commits", operationID: "listBranchCommits",
                summary: "A branch's history along first parents, newest first.", tags: ["ontology"], access: .requires(.readOntology),
                queryParameters: [("limit", ["type": "integer", "minimum": 1, "maximum": 100], "At most this many (default 50).")],
                responses: [200: .init("Commits.", schema: .ref("CommitList")), 400: .problem("Bad name or limit."), 404: .problem("No such branch.")]),
            use: history)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/commits/{commit}", operationID: "getCommit", summary: "One commit.", tags: ["ontology"],
                access: .requires(.readOntology), responses: [200: .init("The commit.", schema: .ref("Commit")), 404: .problem("No such commit.")]),
            use: getCommit)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/diff", operationID: "diffCommits",
                summary: "What changed between two branches or commits, resource by resource and field by field.", tags: ["ontology"],
                access: .requires(.readOntology),
                queryParameters: [
                    ("from", ["type": "string"], "A branch name or commit id."), ("to", ["type": "string"], "A branch name or commit id."),
                ],
                responses: [200: .init("The changes.", schema: .ref("Diff")), 400: .problem("`from` or `to` missing."), 404: .problem("No such branch or commit.")]),
            use: diff)
        for kind in ResourceKind.allCases { registerResources(kind, on: api) }
    }

    // MARK: Names

    /// A branch name from the path (percent-decoded: `sandbox%2Fx` is `sandbox/x`).
    static func branchName(_ context: ArbiterRequestContext) throws -> String {
        let raw = try context.parameters.require("branch")
        let name = raw.removingPercentEncoding ?? raw
        try validateBranchName(name)
        return name
    }

    static func validateBranchName(_ name: String) throws {
        guard (1...100).contains(name.count),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) }),
            !name.hasPrefix("/"), !name.hasSuffix("/"), !name.contains("//"), !name.contains("..")
        else {
            throw Problem.badRequest(
                "A branch name is 1 to 100 letters, digits, `.`, `_`, `-` and `/` (not at either end, not doubled, no `..`); encode `/` as %2F in paths.")
        }
    }

    func existingBranch(_ context: ArbiterRequestContext) async throws -> Branch {
        let principal = try context.requirePrincipal()
        let name = try Self.branchName(context)
        try await repository.initialize(organizationID: principal.organizationID, by: "system")
        guard let branch = try await repository.branch(organizationID: principal.organizationID, name: name) else {
            throw Problem.notFound("Your organization's ontology has no branch \(name).")
        }
        return branch
    }

    // MARK: Branches

    @Sendable func listBranches(_ request: Request, context: ArbiterRequestContext) async throws -> BranchList {
        let principal = try context.requirePrincipal()
        try await repository.initialize(organizationID: principal.organizationID, by: "system")
        return BranchList(items: try await repository.branches(organizationID: principal.organizationID).map(BranchResponse.init))
    }

    @Sendable func createBranch(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(as: CreateBranch.self, context: context)
        try Self.validateBranchName(body.name)
        try await repository.initialize(organizationID: principal.organizationID, by: "system")
        let from = body.from ?? OntologyRepository.defaultBranch
        do {
            let branch = try await repository.createBranch(
                organizationID: principal.organizationID, name: body.name, from: from, by: try context.actor().reference)
            var response = try BranchResponse(branch).response(from: request, context: context)
            response.status = .created
            response.headers[.location] = "/api/v1/branches/\(body.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? body.name)"
            return response
        } catch RepositoryError.branchExists(let name) {
            throw Problem(.conflict, slug: "branch-exists", title: "Branch exists", detail: "A branch named \(name) exists; pick another name.")
        } catch RepositoryError.noSuchReference(let reference) {
            throw Problem.notFound("`from` is '\(reference.prefix(100))', which names no branch or commit of your ontology.")
        }
    }

    @Sendable func getBranch(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let branch = try await existingBranch(context)
        var response = try BranchResponse(branch).response(from: request, context: context)
        response.headers[.eTag] = Self.etag(branch.head)
        return response
    }

    @Sendable func deleteBranch(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let branch = try await existingBranch(context)
        guard !branch.isProtected, branch.name != OntologyRepository.defaultBranch else {
            throw Problem(
                .conflict, slug: "branch-protected", title: "Branch protected",
                detail: "\(branch.name) is \(branch.isProtected ? "protected" : "the default branch") and cannot be deleted.")
        }
        guard try await repository.deleteBranch(organizationID: principal.organizationID, name: branch.name) else {
            throw Problem.notFound("Your organization's ontology has no branch \(branch.name).")
        }
        return Response(status: .noContent)
    }

    @Sendable func protect(_ request: Request, context: ArbiterRequestContext) async throws -> BranchResponse {
        let principal = try context.requirePrincipal()
        let branch = try await existingBranch(context)
        let body = try await request.decodeJSON(as: Protection.self, context: context)
        let approvals = body.requiredApprovals ?? 0
        guard (0...10).contains(approvals) else { throw Problem.badRequest("`required_approvals` must be 0 to 10.") }
        guard
            let updated = try await repository.protect(
                organizationID: principal.organizationID, name: branch.name, isProtected: body.isProtected, requiredApprovals: approvals)
        else { throw Problem.notFound("Your organization's ontology has no branch \(branch.name).") }
        let actor = try context.actor()
        try await audit.record(
            AuditEvent(
                .admin, action: body.isProtected ? "ontology.branch.protect" : "ontology.branch.unprotect", actor: actor.reference,
                organizationID: principal.organizationID, target: "branch:\(branch.name)", details: ["required_approvals": String(approvals)],
                origin: actor.origin))
        return BranchResponse(updated)
    }

    // MARK: Commits

    @Sendable func history(_ request: Request, context: ArbiterRequestContext) async throws -> CommitList {
        let principal = try context.requirePrincipal()
        let branch = try await existingBranch(context)
        guard let head = try await repository.resolve(organizationID: principal.organizationID, reference: branch.head) else {
            throw Problem.notFound("The head of \(branch.name) is missing.")
        }
        let commits = try await repository.history(organizationID: principal.organizationID, from: head, limit: try QueryParameters.limit(request))
        return CommitList(items: commits.map(CommitResponse.init))
    }

    @Sendable func getCommit(_ request: Request, context: ArbiterRequestContext) async throws -> CommitResponse {
        CommitResponse(commit: try await commit(context))
    }

    func commit(_ context: ArbiterRequestContext) async throws -> Commit {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("commit")
        guard id.count == 64, id.allSatisfy(\.isHexDigit),
            let commit = try await repository.resolve(organizationID: principal.organizationID, reference: id), commit.id == id
        else { throw Problem.notFound("Your organization's ontology has no commit \(id.prefix(64)).") }
        return commit
    }

    struct DiffResponse: ResponseEncodable {
        struct Field: Encodable {
            let path: String
            let before: JSONValue?
            let after: JSONValue?
        }
        struct Change: Encodable {
            let kind: String
            let id: String
            let change: String
            let fields: [Field]
        }
        let from: String
        let to: String
        let changes: [Change]
    }

    @Sendable func diff(_ request: Request, context: ArbiterRequestContext) async throws -> DiffResponse {
        let principal = try context.requirePrincipal()
        guard let fromName = try QueryParameters.string(request, "from", maximumLength: 200),
            let toName = try QueryParameters.string(request, "to", maximumLength: 200)
        else { throw Problem.badRequest("Send `from` and `to`, each a branch name or a commit id.") }
        try await repository.initialize(organizationID: principal.organizationID, by: "system")
        guard let from = try await repository.resolve(organizationID: principal.organizationID, reference: fromName) else {
            throw Problem.notFound("`from` names no branch or commit: \(fromName.prefix(100)).")
        }
        guard let to = try await repository.resolve(organizationID: principal.organizationID, reference: toName) else {
            throw Problem.notFound("`to` names no branch or commit: \(toName.prefix(100)).")
        }
        let differences = try await repository.differences(organizationID: principal.organizationID, from: from, to: to)
        var old = Snapshot()
        var new = Snapshot()
        for (key, pair) in differences {
            old[key] = pair.before
            new[key] = pair.after
        }
        let changes = SnapshotDiff(from: old, to: new).changes.map { change in
            DiffResponse.Change(
                kind: change.key.kind.rawValue, id: change.key.id, change: change.change.rawValue,
                fields: change.fields.map { DiffResponse.Field(path: $0.path, before: $0.before, after: $0.after) })
        }
        return DiffResponse(from: from.id, to: to.id, changes: changes)
    }

    static func etag(_ commit: String) -> String { "\"\(commit)\"" }
}
