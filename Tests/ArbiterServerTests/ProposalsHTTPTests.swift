import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Proposals and merges through the real router on both backends.
@Suite("Ontology proposals and merges")
struct ProposalsHTTPTests {
    static func type(_ name: String, key: String = "code") -> String {
        #"{"display_name":"\#(name)","properties":[{"id":"\#(key)","display_name":"Key","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#
    }

    struct People {
        let alice: String
        let bob: String
        let lead: String
    }

    static func people(_ client: some TestClientProtocol, _ dependencies: ServerDependencies) async throws -> People {
        People(
            alice: try await client.token(for: try await dependencies.makeUser("alice@example.com", role: .developer)),
            bob: try await client.token(for: try await dependencies.makeUser("bob@example.com", role: .developer)),
            lead: try await client.token(for: try await dependencies.makeUser("lead@example.com", role: .maintainer)))
    }

    static func etag(_ response: TestResponse) -> String {
        (response.headers[.eTag] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    @Test("a clean merge brings both sides' changes together in a commit with two parents; squash has one", arguments: TestBackend.available)
    func cleanMerge(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let people = try await Self.people(client, dependencies)
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: people.alice, json: Self.type("Employee"))
            _ = try await client.send(.post, "/api/v1/branches", token: people.alice, json: #"{"name":"feature"}"#)
            _ = try await client.send(.put, "/api/v1/branches/feature/object-types/team", token: people.alice, json: Self.type("Team"))
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/office", token: people.bob, json: Self.type("Office"))
            let created = try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"feature","title":"Teams","reviewers":["bob"]}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try created.json["id"] as? String)
            #expect(try created.json["status"] as? String == "open")
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/approvals", token: people.alice).status == .forbidden)
            let approved = try await client.send(.post, "/api/v1/proposals/\(id)/approvals", token: people.bob)
            #expect(try approved.json["status"] as? String == "approved")
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/comments", token: people.bob, json: #"{"body":"Looks good"}"#).status == .created)
            let detail = try await client.send(.get, "/api/v1/proposals/\(id)", token: people.bob)
            #expect((try detail.json["conflicts"] as? [Any])?.isEmpty == true)
            #expect((try detail.json["events"] as? [[String: Any]])?.contains { $0["kind"] as? String == "comment" } == true)

            let merged = try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: "{}")
            #expect(merged.status == .ok, "\(merged.text)")
            #expect(try merged.json["status"] as? String == "merged")
            let commitID = try #require(try merged.json["merged_commit"] as? String)
            let commit = try await client.send(.get, "/api/v1/commits/\(commitID)", token: people.bob)
            #expect((try commit.json["parents"] as? [String])?.count == 2)
            let names = try #require(try await client.send(.get, "/api/v1/branches/main/object-types", token: people.bob).json["items"] as? [[String: Any]])
            #expect(Set(names.compactMap { $0["id"] as? String }) == ["employee", "office", "team"])
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: "{}").status == .conflict)

            _ = try await client.send(.put, "/api/v1/branches/feature/object-types/site", token: people.alice, json: Self.type("Site"))
            let second = try #require(try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"feature","title":"Sites"}"#).json["id"] as? String)
            let squashed = try await client.send(.post, "/api/v1/proposals/\(second)/merge", token: people.alice, json: #"{"strategy":"squash"}"#)
            let squashCommit = try #require(try squashed.json["merged_commit"] as? String)
            #expect((try await client.send(.get, "/api/v1/commits/\(squashCommit)", token: people.bob).json["parents"] as? [String])?.count == 1)
        }
    }

    @Test("conflicts of each kind are listed per resource and field, and block the merge with 409", arguments: TestBackend.available)
    func conflicts(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let people = try await Self.people(client, dependencies)
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: people.alice, json: Self.type("Employee"))
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/team", token: people.alice, json: Self.type("Team"))
            _ = try await client.send(.post, "/api/v1/branches", token: people.alice, json: #"{"name":"feature"}"#)
            // modify/modify, modify/delete, add/add
            _ = try await client.send(.put, "/api/v1/branches/feature/object-types/employee", token: people.alice, json: Self.type("Staff"))
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: people.bob, json: Self.type("Worker"))
            _ = try await client.send(.delete, "/api/v1/branches/feature/object-types/team", token: people.alice)
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/team", token: people.bob, json: Self.type("Squad"))
            _ = try await client.send(.put, "/api/v1/branches/feature/object-types/office", token: people.alice, json: Self.type("Office"))
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/office", token: people.bob, json: Self.type("Site"))
            let id = try #require(try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"feature","title":"X"}"#).json["id"] as? String)
            let preview = try #require(try await client.send(.get, "/api/v1/proposals/\(id)", token: people.bob).json["conflicts"] as? [[String: Any]])
            let kinds = Set(preview.map { "\($0["kind"] as? String ?? "") \($0["resource"] as? String ?? "") \($0["field"] as? String ?? "-")" })
            #expect(kinds == [
                "modify/modify object-types/employee display_name", "modify/delete object-types/team -", "add/add object-types/office display_name",
            ])
            let refused = try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: "{}")
            #expect(refused.status == .conflict)
            #expect((try refused.json["conflicts"] as? [Any])?.count == 3)
            #expect(try await client.send(.get, "/api/v1/branches/main/object-types/employee", token: people.bob).json["display_name"] as? String == "Worker")
        }
    }

    @Test("a clean merge that would leave a reference dangling (one side deletes a type the other starts to use) is 422", arguments: TestBackend.available)
    func danglingMerge(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let people = try await Self.people(client, dependencies)
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: people.alice, json: Self.type("Employee"))
            _ = try await client.send(.put, "/api/v1/branches/main/object-types/team", token: people.alice, json: Self.type("Team"))
            _ = try await client.send(.post, "/api/v1/branches", token: people.alice, json: #"{"name":"feature"}"#)
            #expect(try await client.send(.delete, "/api/v1/branches/feature/object-types/team", token: people.alice).status == .noContent)
            let link = #"{"display_name":"Member of","source":"employee","target":"team","cardinality":"one_to_many"}"#
            #expect(try await client.send(.put, "/api/v1/branches/main/link-types/member-of", token: people.bob, json: link).status == .created)
            let id = try #require(try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"feature","title":"Drop teams"}"#).json["id"] as? String)
            let refused = try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: "{}")
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            let errors = try #require(try refused.json["errors"] as? [[String: Any]])
            #expect(errors.map { "\($0["resource"] ?? "") \($0["field"] ?? "")" } == ["link-types/member-of target"])
            #expect(refused.text.contains("object-types/team, which this change deletes"))
            #expect(try await client.send(.get, "/api/v1/branches/main/object-types/team", token: people.bob).status == .ok)
        }
    }

    @Test("a protected target needs its approvals and an issue reference; the commit records the reference", arguments: TestBackend.available)
    func protectedTarget(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let people = try await Self.people(client, dependencies)
            _ = try await client.send(.post, "/api/v1/branches", token: people.alice, json: #"{"name":"feature"}"#)
            _ = try await client.send(.put, "/api/v1/branches/feature/object-types/team", token: people.alice, json: Self.type("Team"))
            _ = try await client.send(.put, "/api/v1/branches/main/protection", token: people.lead, json: #"{"protected":true,"required_approvals":1}"#)
            let id = try #require(try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"feature","title":"Teams"}"#).json["id"] as? String)
            let unapproved = try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: #"{"issue_references":["ABC-9"]}"#)
            #expect(unapproved.status == .conflict)
            #expect(unapproved.text.contains("needs 1 approval"))
            _ = try await client.send(.post, "/api/v1/proposals/\(id)/approvals", token: people.bob)
            let noIssue = try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: "{}")
            #expect(noIssue.status == .unprocessableContent)
            #expect(noIssue.text.contains("issue_references"))
            let badIssue = try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: #"{"issue_references":["soon"]}"#)
            #expect(badIssue.status == .unprocessableContent)
            let merged = try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: #"{"issue_references":["ABC-9"]}"#)
            #expect(merged.status == .ok, "\(merged.text)")
            let commitID = try #require(try merged.json["merged_commit"] as? String)
            #expect(try await client.send(.get, "/api/v1/commits/\(commitID)", token: people.bob).json["issue_references"] as? [String] == ["ABC-9"])
        }
    }

    @Test("status moves draft → open → rejected; a rejected proposal neither merges nor reopens", arguments: TestBackend.available)
    func status(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let people = try await Self.people(client, dependencies)
            _ = try await client.send(.post, "/api/v1/branches", token: people.alice, json: #"{"name":"feature"}"#)
            let draft = try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"feature","title":"Later","draft":true}"#)
            let id = try #require(try draft.json["id"] as? String)
            #expect(try draft.json["status"] as? String == "draft")
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: "{}").status == .conflict)
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/status", token: people.alice, json: #"{"status":"open"}"#).json["status"] as? String == "open")
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/status", token: people.bob, json: #"{"status":"rejected"}"#).json["status"] as? String == "rejected")
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/status", token: people.alice, json: #"{"status":"open"}"#).status == .conflict)
            #expect(try await client.send(.post, "/api/v1/proposals/\(id)/merge", token: people.alice, json: "{}").status == .conflict)
            let listed = try #require(try await client.send(.get, "/api/v1/proposals?status=rejected", token: people.bob).json["items"] as? [[String: Any]])
            #expect(listed.count == 1)
            #expect(try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"main","title":"Self"}"#).status == .unprocessableContent)
            #expect(try await client.send(.post, "/api/v1/proposals", token: people.alice, json: #"{"source":"nope","title":"X"}"#).status == .notFound)
        }
    }
}
