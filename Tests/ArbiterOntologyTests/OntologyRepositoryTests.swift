import ArbiterCore
import ArbiterOntology
import ArbiterStore
import ArbiterTestSupport
import Foundation
import Synchronization
import Testing

/// Branches and commits in a real database, on every backend.
@Suite("Ontology repository")
struct OntologyRepositoryTests {
    static let employee = ResourceKey(.objectTypes, "employee")

    /// A migrated database with one organization and an initialized ontology.
    static func withRepository(
        _ backend: TestBackend, _ body: @Sendable (OntologyRepository, String, any SQLDatabase) async throws -> Void
    ) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await Migrator(database: database).migrate()
            try await database.transaction { executor in
                try await executor.query("INSERT INTO organizations (id, name, created_at) VALUES ('org-1', 'acme', 0), ('org-2', 'other', 0)")
            }
            let repository = OntologyRepository(database: database)
            try await repository.initialize(organizationID: "org-1", by: "user:1")
            try await body(repository, "org-1", database)
        }
    }

    static func type(_ id: String, _ name: String) -> JSONValue {
        ["id": .string(id), "display_name": .string(name), "properties": []]
    }

    @Test("commits move the branch; any commit can be read, diffed and walked back", arguments: TestBackend.available)
    func commits(backend: TestBackend) async throws {
        try await Self.withRepository(backend) { repository, org, _ in
            let start = try #require(try await repository.resolve(organizationID: org, reference: "main"))
            let first = try await repository.commit(
                organizationID: org, branch: "main", changes: [Self.employee: Self.type("employee", "Employee")], expectedHead: start.id,
                author: "user:1", message: "Add employee ABC-1", issueReferences: ["ABC-1"])
            let second = try await repository.commit(
                organizationID: org, branch: "main", changes: [Self.employee: Self.type("employee", "Staff")], expectedHead: first.id, author: "user:1",
                message: "Rename", issueReferences: [])
            #expect(second.parents == [first.id])
            #expect(try await repository.branch(organizationID: org, name: "main")?.head == second.id)
            #expect(try await repository.document(organizationID: org, key: Self.employee, at: first)?["display_name"] == "Employee")
            #expect(try await repository.document(organizationID: org, key: Self.employee, at: second)?["display_name"] == "Staff")
            #expect(try await repository.document(organizationID: org, key: Self.employee, at: start) == nil)
            #expect(try await repository.history(organizationID: org, from: second, limit: 10).map(\.id) == [second.id, first.id, start.id])
            let differences = try await repository.differences(organizationID: org, from: first, to: second)
            #expect(differences[Self.employee]?.before?["display_name"] == "Employee")
            #expect(differences[Self.employee]?.after?["display_name"] == "Staff")
            // The same content again is no new commit.
            let same = try await repository.commit(
                organizationID: org, branch: "main", changes: [Self.employee: Self.type("employee", "Staff")], expectedHead: nil, author: "user:1",
                message: "Again", issueReferences: [])
            #expect(same == second)
            // Another organization sees none of it.
            #expect(try await repository.resolve(organizationID: "org-2", reference: second.id) == nil)
        }
    }

    @Test("branches start from any commit and move independently; names are unique", arguments: TestBackend.available)
    func branches(backend: TestBackend) async throws {
        try await Self.withRepository(backend) { repository, org, _ in
            let base = try await repository.commit(
                organizationID: org, branch: "main", changes: [Self.employee: Self.type("employee", "Employee")], expectedHead: nil, author: "user:1",
                message: "Add", issueReferences: [])
            let feature = try await repository.createBranch(organizationID: org, name: "feature/x", from: "main", by: "user:2")
            #expect(feature.head == base.id)
            await #expect(throws: RepositoryError.branchExists("feature/x")) {
                _ = try await repository.createBranch(organizationID: org, name: "feature/x", from: "main", by: "user:2")
            }
            await #expect(throws: RepositoryError.noSuchReference("nope")) {
                _ = try await repository.createBranch(organizationID: org, name: "y", from: "nope", by: "user:2")
            }
            let onFeature = try await repository.commit(
                organizationID: org, branch: "feature/x", changes: [ResourceKey(.objectTypes, "team"): Self.type("team", "Team")], expectedHead: base.id,
                author: "user:2", message: "Team", issueReferences: [])
            let main = try #require(try await repository.resolve(organizationID: org, reference: "main"))
            #expect(main.id == base.id)
            #expect(try await repository.documents(organizationID: org, kind: .objectTypes, at: onFeature).count == 2)
            #expect(try await repository.documents(organizationID: org, kind: .objectTypes, at: main).count == 1)
            #expect(try await repository.deleteBranch(organizationID: org, name: "feature/x"))
            #expect(try await repository.resolve(organizationID: org, reference: onFeature.id) == onFeature)
        }
    }

    @Test("50 concurrent writers on one base: exactly one wins, the rest are told the head moved", arguments: TestBackend.available)
    func concurrentWriters(backend: TestBackend) async throws {
        try await Self.withRepository(backend) { repository, org, _ in
            let base = try #require(try await repository.resolve(organizationID: org, reference: "main"))
            let outcomes = try await withThrowingTaskGroup(of: Result<Commit, RepositoryError>.self) { group in
                for writer in 0..<50 {
                    group.addTask {
                        do {
                            return .success(
                                try await repository.commit(
                                    organizationID: org, branch: "main", changes: [Self.employee: Self.type("employee", "Writer \(writer)")],
                                    expectedHead: base.id, author: "user:\(writer)", message: "w\(writer)", issueReferences: []))
                        } catch let error as RepositoryError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: [Result<Commit, RepositoryError>]()) { $0.append($1) }
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            let head = try #require(try await repository.branch(organizationID: org, name: "main")).head
            #expect(winners.first?.id == head)
            for case .failure(let error) in outcomes { #expect(error == .staleHead(expected: base.id, current: head)) }
        }
    }

    @Test("the merge base is the branch point, however long the history before it; merges see only changes since", arguments: TestBackend.available)
    func mergeBase(backend: TestBackend) async throws {
        try await Self.withRepository(backend) { repository, org, _ in
            for index in 0..<30 {
                _ = try await repository.commit(
                    organizationID: org, branch: "main", changes: [ResourceKey(.objectTypes, "t\(index)"): Self.type("t\(index)", "T")], expectedHead: nil,
                    author: "user:1", message: "m\(index)", issueReferences: [])
            }
            let point = try #require(try await repository.resolve(organizationID: org, reference: "main"))
            _ = try await repository.createBranch(organizationID: org, name: "side", from: "main", by: "user:1")
            var main = point
            var side = point
            for index in 0..<3 {
                main = try await repository.commit(
                    organizationID: org, branch: "main", changes: [ResourceKey(.objectTypes, "m\(index)"): Self.type("m\(index)", "M")], expectedHead: nil,
                    author: "user:1", message: "main \(index)", issueReferences: [])
                side = try await repository.commit(
                    organizationID: org, branch: "side", changes: [ResourceKey(.objectTypes, "s\(index)"): Self.type("s\(index)", "S")], expectedHead: nil,
                    author: "user:2", message: "side \(index)", issueReferences: [])
            }
            #expect(try await repository.mergeBase(organizationID: org, main, side)?.id == point.id)
            #expect(try await repository.mergeBase(organizationID: org, side, main)?.id == point.id)
            #expect(try await repository.mergeBase(organizationID: org, point, side)?.id == point.id)
            let (base, result) = try await repository.merge(organizationID: org, source: side, into: main)
            #expect(base.id == point.id)
            #expect(result.isClean)
            #expect(Set(result.changes.keys) == Set((0..<3).map { ResourceKey(.objectTypes, "s\($0)") }))
        }
    }
}
