import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The ontology API through the real router on both backends: branches, resources with ETags, validation,
/// history and diffs, protection and issue references, and concurrent writers.
@Suite("Ontology API")
struct OntologyHTTPTests {
    static let employee = #"{"display_name":"Employee","properties":[{"id":"employee_id","display_name":"Id","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#
    static let team = #"{"display_name":"Team","properties":[{"id":"code","display_name":"Code","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#

    @Test("resources are written as commits, read with ETags, read at old commits, listed, diffed and walked back", arguments: TestBackend.available)
    func resources(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let viewer = try await client.token(for: try await dependencies.makeUser("viewer@example.com", role: .viewer))
            let created = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee)
            #expect(created.status == .created, "\(created.text)")
            let first = try #require(created.headers[.eTag]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let read = try await client.send(.get, "/api/v1/branches/main/object-types/employee", token: viewer)
            #expect(read.status == .ok)
            #expect(read.headers[.eTag] == "\"\(first)\"")
            #expect(try read.json["id"] as? String == "employee")

            let renamed = Self.employee.replacingOccurrences(of: "\"Employee\"", with: "\"Staff\"")
            let updated = try await client.send(
                .put, "/api/v1/branches/main/object-types/employee", token: dev, json: renamed, headers: [.ifMatch: "\"\(first)\""])
            #expect(updated.status == .ok)
            let second = try #require(updated.headers[.eTag]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let stale = try await client.send(
                .put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee, headers: [.ifMatch: "\"\(first)\""])
            #expect(stale.status == .preconditionFailed)
            #expect(try stale.json["current_commit"] as? String == second)
            #expect(stale.headers[.eTag] == "\"\(second)\"")

            let old = try await client.send(.get, "/api/v1/commits/\(first)/object-types/employee", token: viewer)
            #expect(try old.json["display_name"] as? String == "Employee")
            let listed = try await client.send(.get, "/api/v1/branches/main/object-types", token: viewer)
            #expect((try listed.json["items"] as? [[String: Any]])?.count == 1)
            let history = try await client.send(.get, "/api/v1/branches/main/commits", token: viewer)
            let ids = try #require(try history.json["items"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            #expect(Array(ids.prefix(2)) == [second, first])
            let diff = try await client.send(.get, "/api/v1/diff?from=\(first)&to=main", token: viewer)
            let changes = try #require(try diff.json["changes"] as? [[String: Any]])
            #expect(changes.first?["change"] as? String == "modified")
            let fields = try #require(changes.first?["fields"] as? [[String: Any]])
            #expect(fields.first?["path"] as? String == "display_name")
            #expect(fields.first?["before"] as? String == "Employee" && fields.first?["after"] as? String == "Staff")

            #expect(try await client.send(.put, "/api/v1/branches/main/object-types/team", token: viewer, json: Self.team).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/branches/main/object-types/nobody", token: viewer).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/branches/Main%20X/object-types", token: viewer).status == .badRequest)
        }
    }

    @Test("invalid resources are 422 with every field named; a link to a missing type too; a used type cannot be deleted", arguments: TestBackend.available)
    func validation(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let bad = #"{"display_name":"Bad","properties":[{"id":"a","display_name":"A","data_type":"strng","primary_key":true,"required":true,"unique":true},{"id":"b","display_name":"B","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#
            let invalid = try await client.send(.put, "/api/v1/branches/main/object-types/bad", token: dev, json: bad)
            #expect(invalid.status == .unprocessableContent)
            let fields = try #require(try invalid.json["errors"] as? [[String: Any]]).compactMap { $0["field"] as? String }
            #expect(Set(fields) == ["properties[a].data_type", "properties"])
            let link = #"{"display_name":"Member of","source":"employee","target":"team","cardinality":"one_to_many"}"#
            let dangling = try await client.send(.put, "/api/v1/branches/main/link-types/member-of", token: dev, json: link)
            #expect(dangling.status == .unprocessableContent)
            #expect(dangling.text.contains("object type 'employee' does not exist"))
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee)
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/team", token: dev, json: Self.team)
            #expect(try await client.send(.put, "/api/v1/branches/main/link-types/member-of", token: dev, json: link).status == .created)
            let inUse = try await client.send(.delete, "/api/v1/branches/main/object-types/team", token: dev)
            #expect(inUse.status == .conflict)
            #expect(inUse.text.contains("link-types/member-of"))
            #expect(try await client.send(.delete, "/api/v1/branches/main/link-types/member-of", token: dev).status == .noContent)
            #expect(try await client.send(.delete, "/api/v1/branches/main/object-types/team", token: dev).status == .noContent)
            #expect(try await client.send(.put, "/api/v1/branches/main/object-types/Bad-ID", token: dev, json: Self.team).status == .badRequest)
            let mismatched = try await client.send(
                .put, "/api/v1/branches/main/object-types/other", token: dev, json: Self.team.replacingOccurrences(of: "{\"display_name\"", with: "{\"id\":\"team\",\"display_name\""))
            #expect(mismatched.status == .unprocessableContent)
        }
    }

    @Test("branches: create from main or a commit, names with / encoded, independent heads, delete; main cannot be deleted", arguments: TestBackend.available)
    func branches(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let base = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee)
            let created = try await client.send(.post, "/api/v1/branches", token: dev, json: #"{"name":"sandbox/try"}"#)
            #expect(created.status == .created)
            #expect(try created.json["head"] as? String == base.headers[.eTag]?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            #expect(try await client.send(.post, "/api/v1/branches", token: dev, json: #"{"name":"sandbox/try"}"#).status == .conflict)
            #expect(try await client.send(.post, "/api/v1/branches", token: dev, json: #"{"name":"x","from":"nowhere"}"#).status == .notFound)
            #expect(try await client.send(.post, "/api/v1/branches", token: dev, json: #"{"name":"../etc"}"#).status == .badRequest)
            #expect(try await client.send(.put, "/api/v1/branches/sandbox%2Ftry/object-types/team", token: dev, json: Self.team).status == .created)
            #expect(try await client.send(.get, "/api/v1/branches/main/object-types/team", token: dev).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/branches/sandbox%2Ftry/object-types/team", token: dev).status == .ok)
            let names = try #require(try await client.send(.get, "/api/v1/branches", token: dev).json["items"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["main", "sandbox/try"])
            #expect(try await client.send(.delete, "/api/v1/branches/main", token: dev).status == .conflict)
            #expect(try await client.send(.delete, "/api/v1/branches/sandbox%2Ftry", token: dev).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/branches/sandbox%2Ftry", token: dev).status == .notFound)
        }
    }

    @Test("protected branches: If-Match is required (428), and an issue reference (422 says how), unless the branch is exempt", arguments: TestBackend.available)
    func protection(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let lead = try await dependencies.makeUser("lead@example.com", role: .maintainer)
            let maintainer = try await client.token(for: lead)
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            #expect(try await client.send(.put, "/api/v1/branches/main/protection", token: dev, json: #"{"protected":true}"#).status == .forbidden)
            let protected = try await client.send(.put, "/api/v1/branches/main/protection", token: maintainer, json: #"{"protected":true,"required_approvals":1}"#)
            #expect(try protected.json["protected"] as? Bool == true)
            let head = try #require(try protected.json["head"] as? String)

            let noMatch = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee)
            #expect(noMatch.status == .preconditionRequired)
            let noIssue = try await client.send(
                .put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee, headers: [.ifMatch: "\"\(head)\""])
            #expect(noIssue.status == .unprocessableContent)
            #expect(noIssue.text.contains("X-Issue-ID"))
            let wrong = try await client.send(
                .put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee,
                headers: [.ifMatch: "\"\(head)\"", HTTPField.Name("X-Issue-ID")!: "ABC-1, nonsense"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.text.contains("'nonsense'"))
            let ok = try await client.send(
                .put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee,
                headers: [.ifMatch: "\"\(head)\"", HTTPField.Name("X-Issue-ID")!: "ABC-1, #42"])
            #expect(ok.status == .created)
            let commitID = try #require(ok.headers[.eTag]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let commit = try await client.send(.get, "/api/v1/commits/\(commitID)", token: dev)
            #expect(try commit.json["issue_references"] as? [String] == ["ABC-1", "#42"])
            let viaMessage = try await client.send(
                .put, "/api/v1/branches/main/object-types/team", token: dev, json: Self.team,
                headers: [.ifMatch: "\"\(commitID)\"", HTTPField.Name("X-Commit-Message")!: "Add teams for GL-7"])
            #expect(viaMessage.status == .created)

            _ = try await client.send(.post, "/api/v1/branches", token: dev, json: #"{"name":"sandbox/free"}"#)
            let exempt = try await client.send(.put, "/api/v1/branches/sandbox%2Ffree/protection", token: maintainer, json: #"{"protected":true}"#)
            let exemptHead = try #require(try exempt.json["head"] as? String)
            #expect(try await client.send(
                .put, "/api/v1/branches/sandbox%2Ffree/object-types/office", token: dev, json: Self.team, headers: [.ifMatch: "\"\(exemptHead)\""]).status
                == .created)
            let actions = try await dependencies.audit.list(.init(organizationID: lead.organizationID), limit: 100, cursor: nil).records.map(\.event.action)
            #expect(actions.filter { $0 == "ontology.branch.protect" }.count == 2)
        }
    }

    @Test("50 concurrent writers with If-Match on one head: exactly one wins, 49 get 412", arguments: TestBackend.available)
    func concurrentWriters(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let head = try #require(try await client.send(.get, "/api/v1/branches/main", token: dev).json["head"] as? String)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for writer in 0..<50 {
                    group.addTask {
                        let body = Self.employee.replacingOccurrences(of: "\"Employee\"", with: "\"Writer \(writer)\"")
                        return try await client.send(
                            .put, "/api/v1/branches/main/object-types/employee", token: dev, json: body, headers: [.ifMatch: "\"\(head)\""]
                        ).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .preconditionFailed }.count == 49)
        }
    }
}
