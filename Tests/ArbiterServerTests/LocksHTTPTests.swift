import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Ontology locks through the real router on both backends: 423 naming the lock, holders writing with their
/// fencing token, heartbeats, expiry, release and forced release, and racing acquirers.
@Suite("Ontology locks")
struct LocksHTTPTests {
    static let lockToken = HTTPField.Name("X-Lock-Token")!
    static let type = #"{"display_name":"Employee","properties":[{"id":"k","display_name":"K","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#
    static let shared = #"{"display_name":"Owner","data_type":"string"}"#

    @Test("a lock answers others' writes with 423 naming it; its holder writes with the token; other kinds stay editable", arguments: TestBackend.available)
    func lockedWrites(backend: TestBackend) async throws {
        let clock = ManualWallClock(Date())
        try await withTestApplication(backend, clock: clock) { client, dependencies in
            let alice = try await client.token(for: try await dependencies.makeUser("alice@example.com", role: .developer))
            let bob = try await client.token(for: try await dependencies.makeUser("bob@example.com", role: .developer))
            let adminUser = try await dependencies.makeUser("admin@example.com", role: .admin)
            let admin = try await client.token(for: adminUser)
            let acquired = try await client.send(
                .post, "/api/v1/locks", token: alice, json: #"{"branch":"main","resource_type":"object-types","kind":"indexing","ttl_seconds":60}"#)
            #expect(acquired.status == .created, "\(acquired.text)")
            let lockID = try #require(try acquired.json["id"] as? String)
            let token = try #require(try acquired.json["fencing_token"] as? Int)

            let blocked = try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: bob, json: Self.type)
            #expect(blocked.status.code == 423)
            #expect(blocked.headers[.contentType] == "application/problem+json")
            #expect(blocked.headers[.retryAfter] != nil)
            let lock = try #require(try blocked.json["lock"] as? [String: Any])
            #expect(lock["id"] as? String == lockID)
            #expect(lock["kind"] as? String == "indexing")
            #expect((lock["scope"] as? [String: Any])?["resource_type"] as? String == "object-types")
            #expect((lock["editable"] as? String)?.contains("every resource but object-types") == true)
            #expect(try await client.send(.put, "/api/v1/branches/main/shared-properties/owner", token: bob, json: Self.shared).status == .created)
            let overlapping = try await client.send(
                .post, "/api/v1/locks", token: bob, json: #"{"branch":"main","resource_type":"object-types","resource_id":"employee"}"#)
            #expect(overlapping.status.code == 423)

            let beat = try await client.send(
                .post, "/api/v1/locks/\(lockID)/heartbeat", token: alice, json: #"{"fencing_token":\#(token),"progress":40,"ttl_seconds":60}"#)
            #expect(try beat.json["progress"] as? Int == 40)
            #expect(try await client.send(.put, "/api/v1/branches/main/object-types/employee", token: bob, json: Self.type).text.contains("40% done"))
            let holderWrite = try await client.send(
                .put, "/api/v1/branches/main/object-types/employee", token: alice, json: Self.type, headers: [Self.lockToken: String(token)])
            #expect(holderWrite.status == .created, "\(holderWrite.text)")

            // Expiry: the holder's token stops working; others may write again.
            clock.advance(by: 61)
            let late = try await client.send(
                .put, "/api/v1/branches/main/object-types/employee", token: alice, json: Self.type.replacingOccurrences(of: "Employee", with: "Late"),
                headers: [Self.lockToken: String(token)])
            #expect(late.status == .conflict)
            #expect(late.text.contains("lock-token-stale"))
            #expect(try await client.send(.put, "/api/v1/branches/main/object-types/staff", token: bob, json: Self.type).status == .created)

            // New locks get larger tokens; release needs the token; admins force-release, audited.
            let second = try await client.send(.post, "/api/v1/locks", token: bob, json: #"{"branch":"main"}"#)
            let secondToken = try #require(try second.json["fencing_token"] as? Int)
            #expect(secondToken > token)
            let secondID = try #require(try second.json["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/locks/\(secondID)?fencing_token=\(secondToken)", token: alice).status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/locks/\(secondID)?force=true", token: alice).status == .forbidden)
            #expect(try await client.send(.delete, "/api/v1/locks/\(secondID)?force=true", token: admin).status == .noContent)
            #expect((try await client.send(.get, "/api/v1/locks", token: bob).json["items"] as? [Any])?.isEmpty == true)
            let actions = try await dependencies.audit.list(.init(organizationID: adminUser.organizationID), limit: 100, cursor: nil).records.map(\.event.action)
            #expect(actions.contains("ontology.lock.force_release"))
            let third = try await client.send(.post, "/api/v1/locks", token: bob, json: #"{"branch":"main","resource_type":"link-types"}"#)
            let thirdID = try #require(try third.json["id"] as? String)
            let thirdToken = try #require(try third.json["fencing_token"] as? Int)
            #expect(try await client.send(.delete, "/api/v1/locks/\(thirdID)?fencing_token=\(thirdToken)", token: bob).status == .noContent)
        }
    }

    @Test("30 racing acquirers of one resource: exactly one holds it", arguments: TestBackend.available)
    func race(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await client.send(
                            .post, "/api/v1/locks", token: dev, json: #"{"branch":"main","resource_type":"object-types","resource_id":"employee"}"#
                        ).status.code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 423 }.count == 29)
        }
    }
}
