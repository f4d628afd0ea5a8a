import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

extension OntologyController {
    /// `ObjectTypes` for `object-types`: the part of operation ids that names the kind.
    static func operationName(_ kind: ResourceKind) -> String {
        kind.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    func registerResources(_ kind: ResourceKind, on api: DocumentedRouter<ArbiterRequestContext>) {
        let name = Self.operationName(kind)
        let path = "/api/v1/branches/{branch}/\(kind.rawValue)"
        api.on(
            RouteDocumentation(
                method: .get, path: path, operationID: "list\(name)", summary: "Every \(kind.rawValue) resource at the branch's head (ETag: the head).",
                tags: ["ontology"], access: .requires(.readOntology),
                responses: [200: .init("The resources.", schema: .ref("ResourceList")), 400: .problem("Bad branch name."), 404: .problem("No such branch.")]),
            use: { request, context in try await self.list(kind, request, context) })
        api.on(
            RouteDocumentation(
                method: .get, path: "\(path)/{id}", operationID: "get\(name)", summary: "One \(kind.rawValue) resource at the branch's head (ETag: the head).",
                tags: ["ontology"], access: .requires(.readOntology),
                responses: [200: .init("The resource.", schema: .ref("Resource")), 400: .problem("Bad name or id."), 404: .problem("No such branch or resource.")]),
            use: { request, context in try await self.get(kind, request, context) })
        api.on(
            RouteDocumentation(
                method: .put, path: "\(path)/{id}", operationID: "put\(name)",
                summary: "Create or replace a \(kind.rawValue) resource as one commit. If-Match: the head you read; X-Issue-ID and "
                    + "X-Commit-Message optional (an issue reference is required on protected branches).",
                tags: ["ontology"], access: .requires(.writeOntology), requestBody: .ref("Resource"),
                responses: [
                    201: .init("Created; ETag is the new commit.", schema: .ref("Resource")), 200: .init("Replaced; ETag is the new commit.", schema: .ref("Resource")),
                    400: .problem("Bad JSON, name or id."), 404: .problem("No such branch."),
                    412: .problem("If-Match names an older head; the current one is in ETag and `current_commit`."),
                    422: .problem("The resource is invalid (`errors` lists each field), or an issue reference is missing."),
                    423: .problem("Someone else's lock covers the resource; the problem names it, with Retry-After."),
                    428: .problem("The branch is protected: send If-Match with the head you read."),
                ]),
            use: { request, context in try await self.write(kind, request, context, deleting: false) })
        api.on(
            RouteDocumentation(
                method: .delete, path: "\(path)/{id}", operationID: "delete\(name)", summary: "Delete a \(kind.rawValue) resource as one commit.",
                tags: ["ontology"], access: .requires(.writeOntology),
                responses: [
                    204: .init("Deleted; ETag is the new commit.", contentType: nil), 400: .problem("Bad name or id."),
                    404: .problem("No such branch or resource."), 409: .problem("Other resources refer to it."),
                    412: .problem("If-Match names an older head."), 422: .problem("An issue reference is missing."),
                    423: .problem("Someone else's lock covers the resource."), 428: .problem("The branch is protected: send If-Match."),
                ]),
            use: { request, context in try await self.write(kind, request, context, deleting: true) })
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/commits/{commit}/\(kind.rawValue)/{id}", operationID: "get\(name)AtCommit",
                summary: "One \(kind.rawValue) resource as it was at a commit.", tags: ["ontology"], access: .requires(.readOntology),
                responses: [
                    200: .init("The resource.", schema: .ref("Resource")), 400: .problem("Bad resource id."),
                    404: .problem("No such commit or resource at it."),
                ]),
            use: { request, context in try await self.getAtCommit(kind, request, context) })
    }

    /// A resource document as the response body.
    struct DocumentResponse: ResponseEncodable {
        let document: JSONValue
        func encode(to encoder: any Encoder) throws { try document.encode(to: encoder) }
    }

    struct ResourceList: ResponseEncodable {
        let commit: String
        let items: [JSONValue]
    }

    static func resourceID(_ context: ArbiterRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard OntologyValidator.isValidID(id) else {
            throw Problem.badRequest("A resource id is 1 to 100 characters: a lowercase letter, then lowercase letters, digits, `_` or `-`.")
        }
        return id
    }

    func head(_ branch: Branch, _ principal: Principal) async throws -> Commit {
        guard let commit = try await repository.resolve(organizationID: principal.organizationID, reference: branch.head) else {
            throw Problem.notFound("The head of \(branch.name) is missing.")
        }
        return commit
    }

    func list(_ kind: ResourceKind, _ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let branch = try await existingBranch(context)
        let commit = try await head(branch, principal)
        let documents = try await repository.documents(organizationID: principal.organizationID, kind: kind, at: commit)
        var response = try ResourceList(commit: commit.id, items: documents.sorted { $0.key < $1.key }.map(\.value)).response(from: request, context: context)
        response.headers[.eTag] = Self.etag(commit.id)
        return response
    }

    func get(_ kind: ResourceKind, _ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let branch = try await existingBranch(context)
        let id = try Self.resourceID(context)
        let commit = try await head(branch, principal)
        guard let document = try await repository.document(organizationID: principal.organizationID, key: ResourceKey(kind, id), at: commit) else {
            throw Problem.notFound("\(branch.name) has no \(kind.rawValue)/\(id).")
        }
        var response = try DocumentResponse(document: document).response(from: request, context: context)
        response.headers[.eTag] = Self.etag(commit.id)
        return response
    }

    func getAtCommit(_ kind: ResourceKind, _ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let commit = try await commit(context)
        let id = try Self.resourceID(context)
        guard let document = try await repository.document(organizationID: principal.organizationID, key: ResourceKey(kind, id), at: commit) else {
            throw Problem.notFound("Commit \(commit.id) has no \(kind.rawValue)/\(id).")
        }
        var response = try DocumentResponse(document: document).response(from: request, context: context)
        response.headers[.eTag] = Self.etag(commit.id)
        return response
    }

    /// The issue references of a write: `X-Issue-ID` (comma-separated) and any in `X-Commit-Message`.
    static func issueReferences(_ request: Request) throws -> (references: [IssueReference], message: String?) {
        var references: [IssueReference] = []
        if let header = request.headers[.issueID] {
            let parsed = IssueReference.header(header)
            guard parsed.invalid.isEmpty else {
                throw Problem(
                    .unprocessableContent, slug: "invalid-issue-reference", title: "Invalid issue reference",
                    detail: "X-Issue-ID has \(parsed.invalid.map { "'\($0.prefix(40))'" }.joined(separator: ", ")), which "
                        + "\(parsed.invalid.count == 1 ? "is" : "are") not issue references; use \(IssueReference.formats), comma-separated.")
            }
            references += parsed.references
        }
        let message = request.headers[.commitMessage].map { $0.removingPercentEncoding ?? $0 }
        if let message {
            guard message.count <= 2_000 else { throw Problem.badRequest("X-Commit-Message is at most 2000 characters.") }
            references += IssueReference.all(in: message)
        }
        var seen = Set<IssueReference>()
        return (references.filter { seen.insert($0).inserted }, message)
    }

    func write(_ kind: ResourceKind, _ request: Request, _ context: ArbiterRequestContext, deleting: Bool) async throws -> Response {
        let principal = try context.requirePrincipal()
        let branch = try await existingBranch(context)
        let id = try Self.resourceID(context)
        let key = ResourceKey(kind, id)
        var expected: String?
        if let match = request.headers[.ifMatch] {
            expected = match.trimmingCharacters(in: CharacterSet(charactersIn: "W/\" "))
        } else if branch.isProtected {
            throw Problem(
                .preconditionRequired, slug: "if-match-required", title: "If-Match required",
                detail: "\(branch.name) is protected: send If-Match with the ETag of the head you read (GET this resource or the branch), "
                    + "so a concurrent change is never overwritten.",
                headers: [.eTag: Self.etag(branch.head)])
        }
        if let expected, expected != branch.head { throw Self.stale(expected: expected, current: branch.head) }
        let (references, message) = try Self.issueReferences(request)
        let override = try await governance(branch, references: references, request: request, principal: principal, context: context, what: "Writes to")
        let headCommit = try await head(branch, principal)
        let existing = try await repository.document(organizationID: principal.organizationID, key: key, at: headCommit)
        var document: JSONValue?
        if deleting {
            guard existing != nil else { throw Problem.notFound("\(branch.name) has no \(key).") }
            try await checkNoReferrers(key, at: headCommit, principal: principal)
        } else {
            document = try await validated(key, request: request, context: context, at: headCommit, principal: principal)
        }
        let commit: Commit
        do {
            commit = try await repository.commit(
                organizationID: principal.organizationID, branch: branch.name, changes: [key: document], expectedHead: expected,
                author: try context.actor().reference, message: message ?? "\(deleting ? "Delete" : existing == nil ? "Create" : "Update") \(key)",
                issueReferences: references.map(\.key),
                alsoInTransaction: Self.both(
                    lockGuard([key], branch: branch, request: request, principal: principal),
                    try spend(override, branch: branch, principal: principal, context: context)))
        } catch RepositoryError.staleHead(let expected, let current) {
            throw Self.stale(expected: expected, current: current)
        }
        var response: Response
        if let document {
            response = try DocumentResponse(document: document).response(from: request, context: context)
            response.status = existing == nil ? .created : .ok
        } else {
            response = Response(status: .noContent)
        }
        response.headers[.eTag] = Self.etag(commit.id)
        return response
    }

    static func stale(expected: String, current: String) -> Problem {
        Problem(
            .preconditionFailed, slug: "stale-commit", title: "The branch moved",
            detail: "If-Match names \(expected.prefix(64)) but the branch is at \(current); read it again and reapply your change.",
            headers: [.eTag: etag(current)], extensions: ["current_commit": .string(current)])
    }

    /// The body as a resource: an object whose `id` (filled in when absent) matches the path, valid against the
    /// model and the resources it refers to at `head`.
    func validated(
        _ key: ResourceKey, request: Request, context: ArbiterRequestContext, at head: Commit, principal: Principal
    ) async throws -> JSONValue {
        guard case .object(var members) = try await request.decodeJSON(as: JSONValue.self, context: context) else {
            throw Problem.badRequest("The body must be a JSON object describing the resource.")
        }
        if members["id"] == nil { members["id"] = .string(key.id) }
        let document = JSONValue.object(members)
        let issues = try await Self.validate([key: document], repository: repository, organizationID: principal.organizationID, at: head)
        guard issues.isEmpty else { throw Self.invalid(issues) }
        return document
    }

    static func invalid(_ issues: [ValidationIssue]) -> Problem {
        Problem(
            .unprocessableContent, slug: "invalid-resource", title: "Invalid resource",
            detail: issues.map { "\($0.resource) \($0.field.isEmpty ? "" : "`\($0.field)` ")\($0.message)" }.joined(separator: "; "),
            extensions: [
                "errors": .array(issues.map { ["resource": .string($0.resource.description), "field": .string($0.field), "detail": .string($0.message)] })
            ])
    }

    /// Issues with the documents in `changes` once applied at `head`: each checked against the model and against
    /// what it refers to (taken from `changes` when it changes too, else from `head`).
    static func validate(
        _ changes: [ResourceKey: JSONValue?], repository: OntologyRepository, organizationID: String, at head: Commit
    ) async throws -> [ValidationIssue] {
        var snapshot = Snapshot()
        var checked = Set<ResourceKey>()
        var referenced = Set<ResourceKey>()
        for (key, document) in changes {
            guard let document else { continue }
            snapshot[key] = document
            checked.insert(key)
            switch key.kind {
            case .linkTypes:
                for end in ["source", "target"] { if let id = document[end]?.stringValue { referenced.insert(ResourceKey(.objectTypes, id)) } }
            case .interfaces:
                if case .array(let items)? = document["properties"] {
                    for id in items.compactMap(\.stringValue) { referenced.insert(ResourceKey(.sharedProperties, id)) }
                }
                if case .array(let items)? = document["extends"] { for id in items.compactMap(\.stringValue) { referenced.insert(ResourceKey(.interfaces, id)) } }
            case .objectTypes, .sharedProperties:
                break
            }
        }
        for reference in referenced.subtracting(changes.keys).sorted().prefix(500) {
            snapshot[reference] = try await repository.document(organizationID: organizationID, key: reference, at: head)
        }
        var issues = OntologyValidator.validate(snapshot, only: checked)
        // Deletions: whatever still points at a deleted resource and does not change with it would dangle.
        let deleted = Set(changes.filter { $0.value == nil }.keys)
        for kind in Set(deleted.flatMap { OntologyValidator.referrerKinds(of: $0.kind) }).sorted() {
            let unchanged = try await repository.documents(organizationID: organizationID, kind: kind, at: head).filter { changes[$0.key] == nil }
            issues += OntologyValidator.dangling(referrers: unchanged, deleted: deleted)
        }
        return issues
    }

    /// Refuses to delete what others point at: object types used by link types, shared properties used by
    /// interfaces, interfaces others extend.
    func checkNoReferrers(_ key: ResourceKey, at head: Commit, principal: Principal) async throws {
        let referrers: [ResourceKey]
        switch key.kind {
        case .objectTypes:
            referrers = try await repository.documents(organizationID: principal.organizationID, kind: .linkTypes, at: head)
                .filter { $0.value["source"]?.stringValue == key.id || $0.value["target"]?.stringValue == key.id }.map(\.key)
        case .sharedProperties:
            referrers = try await repository.documents(organizationID: principal.organizationID, kind: .interfaces, at: head)
                .filter { if case .array(let items)? = $0.value["properties"] { return items.contains(.string(key.id)) } else { return false } }.map(\.key)
        case .interfaces:
            referrers = try await repository.documents(organizationID: principal.organizationID, kind: .interfaces, at: head)
                .filter { if case .array(let items)? = $0.value["extends"] { return items.contains(.string(key.id)) } else { return false } }.map(\.key)
        case .linkTypes:
            referrers = []
        }
        guard referrers.isEmpty else {
            throw Problem(
                .conflict, slug: "resource-in-use", title: "Resource in use",
                detail: "\(key) is used by \(referrers.sorted().prefix(10).map(\.description).joined(separator: ", ")); change or delete those first.")
        }
    }
}
