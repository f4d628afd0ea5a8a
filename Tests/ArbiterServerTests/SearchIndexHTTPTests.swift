import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The ontology's search index through the real router on both backends: the first build, searches by name,
/// property and link, staleness and rebuilds in the background, and the indexing locks a build takes.
@Suite("Ontology search index")
struct SearchIndexHTTPTests {
    static let employee = #"{"display_name":"Employee Record","properties":[{"id":"employee_id","display_name":"Employee number","data_type":"string","primary_key":true,"required":true,"unique":true},{"id":"salary","display_name":"Salary","data_type":"decimal"}]}"#
    static let team = #"{"display_name":"Team","properties":[{"id":"code","display_name":"Code","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#
    static let link = #"{"display_name":"Member of","source":"employee","target":"team","cardinality":"one_to_many"}"#
    static let shared = #"{"display_name":"Owner","data_type":"string"}"#

    static func type(_ name: String) -> String {
        #"{"display_name":"\#(name)","properties":[{"id":"k","display_name":"K","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#
    }

    /// Polls the index state until `done` says so (at most 30 s).
    static func waitFor(
        _ client: any TestClientProtocol, token: String, branch: String = "main", _ done: @escaping ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let state = try await client.send(.get, "/api/v1/branches/\(branch)/search-index", token: token).json
            if done(state) { return state }
            guard ContinuousClock.now < deadline else { throw TestDatabaseError(description: "index state never got there: \(state)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func ids(_ response: TestResponse) throws -> [String] {
        try #require(try response.json["items"] as? [[String: Any]]).map { "\($0["kind"] ?? "")/\($0["id"] ?? "")" }
    }

    @Test("searches find resources by name, property and link; a write makes the index stale until the rebuild switches", arguments: TestBackend.available)
    func search(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let viewer = try await client.token(for: try await dependencies.makeUser("viewer@example.com", role: .viewer))
            for (path, body) in [
                ("object-types/employee", Self.employee), ("object-types/team", Self.team), ("link-types/member-of", Self.link),
                ("shared-properties/owner", Self.shared),
            ] {
                let written = try await client.send(.put, "/api/v1/branches/main/\(path)", token: dev, json: body)
                #expect(written.status == .created, "\(path): \(written.text)")
            }
            let none = try await client.send(.get, "/api/v1/branches/main/search-index", token: viewer)
            #expect(none.status == .ok)

            // The first search starts the first build and says so.
            let first = try await client.send(.get, "/api/v1/branches/main/search?q=emp", token: viewer)
            if first.status == .conflict {
                #expect(first.text.contains("search-index-not-ready"))
                #expect(first.headers[.retryAfter] == "1")
            } else {
                #expect(first.status == .ok, "\(first.text)")
            }
            let ready = try await Self.waitFor(client, token: viewer) { $0["state"] as? String == "ready" }
            #expect(ready["stale"] as? Bool == false)
            let active = try #require(ready["active"] as? [String: Any])
            #expect(active["commit"] as? String == ready["head"] as? String)
            #expect((active["entries"] as? Int ?? 0) > 10)

            let byPrefix = try await client.send(.get, "/api/v1/branches/main/search?q=EMP", token: viewer)
            #expect(byPrefix.status == .ok, "\(byPrefix.text)")
            #expect(try Self.ids(byPrefix) == ["link-types/member-of", "object-types/employee"])
            #expect(try byPrefix.json["stale"] as? Bool == false)
            let employee = try #require(try (byPrefix.json["items"] as? [[String: Any]])?.last?["matches"] as? [[String: Any]])
            #expect(Set(employee.compactMap { $0["field"] as? String }) == ["name", "property"])
            #expect(try Self.ids(try await client.send(.get, "/api/v1/branches/main/search?q=employee%20r", token: viewer)) == ["object-types/employee"])
            #expect(try Self.ids(try await client.send(.get, "/api/v1/branches/main/search?q=record", token: viewer)) == ["object-types/employee"])
            #expect(try Self.ids(try await client.send(.get, "/api/v1/branches/main/search?q=sal&field=property", token: viewer)) == ["object-types/employee"])
            #expect(try Self.ids(try await client.send(.get, "/api/v1/branches/main/search?q=team&field=link", token: viewer)) == ["link-types/member-of"])
            #expect(try Self.ids(try await client.send(.get, "/api/v1/branches/main/search?q=zzz", token: viewer)).isEmpty)
            #expect(try await client.send(.get, "/api/v1/branches/main/search", token: viewer).status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/branches/main/search?q=a&field=colour", token: viewer).status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/branches/nope/search?q=a", token: viewer).status == .notFound)
            #expect(try await client.send(.post, "/api/v1/branches/main/search-index", token: dev).status == .forbidden)

            // A write: searches answer from the old index, marked stale, while the new one is built; never a mix.
            let old: Set<String> = ["object-types/employee"]
            #expect(try await client.send(.put, "/api/v1/branches/main/object-types/engineer", token: dev, json: Self.type("Engineer")).status == .created)
            var sawStale = false
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let found = try await client.send(.get, "/api/v1/branches/main/search?q=e&field=name", token: viewer)
                let ids = Set(try Self.ids(found))
                #expect(ids == old || ids == old.union(["object-types/engineer"]), "\(ids)")
                if try found.json["stale"] as? Bool == true {
                    sawStale = true
                    #expect(ids == old)
                } else if ids.contains("object-types/engineer") {
                    break
                }
                guard ContinuousClock.now < deadline else { throw TestDatabaseError(description: "the index never caught up") }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(sawStale)

            // A deleted branch takes its index with it: a new branch of the same name starts without one.
            #expect(try await client.send(.post, "/api/v1/branches", token: dev, json: #"{"name":"sandbox/s"}"#).status == .created)
            _ = try await client.send(.get, "/api/v1/branches/sandbox%2Fs/search?q=e", token: dev)
            _ = try await Self.waitFor(client, token: dev, branch: "sandbox%2Fs") { $0["state"] as? String == "ready" }
            #expect(try await client.send(.delete, "/api/v1/branches/sandbox%2Fs", token: dev).status == .noContent)
            #expect(try await client.send(.post, "/api/v1/branches", token: dev, json: #"{"name":"sandbox/s"}"#).status == .created)
            #expect(try await client.send(.get, "/api/v1/branches/sandbox%2Fs/search-index", token: dev).json["state"] as? String == "none")
        }
    }

    @Test("a rebuild locks each type as it reaches it: locked types answer 423 with its progress, the rest stay editable", arguments: TestBackend.available)
    func indexingLocks(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let maintainer = try await client.token(for: try await dependencies.makeUser("maint@example.com", role: .maintainer))
            #expect(try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: dev, json: Self.employee).status == .created)
            // Someone holds link-types: the build takes interfaces (first in its order), then waits there.
            let held = try await client.send(.post, "/api/v1/locks", token: dev, json: #"{"branch":"main","resource_type":"link-types","ttl_seconds":120}"#)
            #expect(held.status == .created, "\(held.text)")
            let heldID = try #require(try held.json["id"] as? String)
            let heldToken = try #require(try held.json["fencing_token"] as? Int)

            let started = try await client.send(.post, "/api/v1/branches/main/search-index", token: maintainer)
            #expect(started.status == .accepted, "\(started.text)")
            #expect(started.headers[.location] == "/api/v1/branches/main/search-index")
            let building = try await Self.waitFor(client, token: dev) { state in
                ((state["build"] as? [String: Any])?["locks"] as? [[String: Any]])?.isEmpty == false
            }
            #expect(building["state"] as? String == "building")
            let locks = try #require((building["build"] as? [String: Any])?["locks"] as? [[String: Any]])
            #expect(locks.map { ($0["scope"] as? [String: Any])?["resource_type"] as? String } == ["interfaces"])
            #expect(locks.allSatisfy { $0["kind"] as? String == "indexing" && $0["holder"] as? String == "system:search-index" })
            // A second request while it runs changes nothing.
            #expect(try await client.send(.post, "/api/v1/branches/main/search-index", token: maintainer).status == .accepted)

            let interface = #"{"display_name":"Named","properties":["owner"]}"#
            #expect(try await client.send(.put, "/api/v1/branches/main/shared-properties/owner", token: dev, json: Self.shared).status == .created)
            let blocked = try await client.send(.put, "/api/v1/branches/main/interfaces/named", token: dev, json: interface)
            #expect(blocked.status.code == 423, "\(blocked.text)")
            #expect(blocked.text.contains("indexing"))
            #expect(blocked.headers[.retryAfter] != nil)
            // Types the build has not reached yet stay editable, and the index will show them.
            #expect(try await client.send(.put, "/api/v1/branches/main/object-types/contractor", token: dev, json: Self.type("Contractor")).status == .created)

            #expect(try await client.send(.delete, "/api/v1/locks/\(heldID)?fencing_token=\(heldToken)", token: dev).status == .noContent)
            let ready = try await Self.waitFor(client, token: dev) { $0["state"] as? String == "ready" }
            #expect(ready["stale"] as? Bool == false, "\(ready)")
            #expect((try await client.send(.get, "/api/v1/locks", token: dev).json["items"] as? [Any])?.isEmpty == true)
            #expect(try Self.ids(try await client.send(.get, "/api/v1/branches/main/search?q=contr", token: dev)) == ["object-types/contractor"])
            #expect(try await client.send(.put, "/api/v1/branches/main/interfaces/named", token: dev, json: interface).status == .created)
        }
    }
}
