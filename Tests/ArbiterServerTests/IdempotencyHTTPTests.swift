import ArbiterCore
import ArbiterOntology
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `Idempotency-Key` on unsafe POSTs, through the real router on both backends.
@Suite("Idempotency keys")
struct IdempotencyHTTPTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    @Test("a retry with the same key replays the first answer and does nothing twice; another body is 422", arguments: TestBackend.available)
    func replay(backend: TestBackend) async throws {
        let clock = ManualWallClock(Date())
        try await withTestApplication(backend, clock: clock) { client, dependencies in
            let aliceUser = try await dependencies.makeUser("alice@example.com", role: .developer)
            let alice = try await client.token(for: aliceUser)
            let bob = try await client.token(for: try await dependencies.makeUser("bob@example.com", role: .developer))
            let body = #"{"name":"sandbox/retry"}"#

            let first = try await client.send(.post, "/api/v1/branches", token: alice, json: body, headers: [Self.key: "k-1"])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.headers[Self.replayed] == nil)
            let again = try await client.send(.post, "/api/v1/branches", token: alice, json: body, headers: [Self.key: "k-1"])
            #expect(again.status == .created)
            #expect(again.headers[Self.replayed] == "true")
            #expect(again.text == first.text)
            #expect(again.headers[.location] == first.headers[.location])
            #expect(again.headers[.contentType] == first.headers[.contentType])
            // Without the key the same request really runs again, and the branch exists now.
            #expect(try await client.send(.post, "/api/v1/branches", token: alice, json: body).status == .conflict)

            let other = try await client.send(.post, "/api/v1/branches", token: alice, json: #"{"name":"sandbox/other"}"#, headers: [Self.key: "k-1"])
            #expect(other.status == .unprocessableContent)
            #expect(other.headers[.contentType] == "application/problem+json")
            #expect(other.text.contains("idempotency-key-reused"))
            #expect(other.text.contains("POST /api/v1/branches"))
            #expect(try await dependencies.ontology.branch(organizationID: aliceUser.organizationID, name: "sandbox/other") == nil)

            // Keys are per caller: Bob's k-1 is his own.
            let bobs = try await client.send(.post, "/api/v1/branches", token: bob, json: #"{"name":"sandbox/bob"}"#, headers: [Self.key: "k-1"])
            #expect(bobs.status == .created)
            #expect(bobs.headers[Self.replayed] == nil)

            // A request that fails gives its key back.
            let bad = try await client.send(.post, "/api/v1/branches", token: alice, json: #"{"name":"no//good"}"#, headers: [Self.key: "k-2"])
            #expect(bad.status == .badRequest)
            let fixed = try await client.send(.post, "/api/v1/branches", token: alice, json: #"{"name":"sandbox/fixed"}"#, headers: [Self.key: "k-2"])
            #expect(fixed.status == .created)

            // Malformed keys are refused before anything runs.
            let long = try await client.send(.post, "/api/v1/branches", token: alice, json: #"{"name":"sandbox/long"}"#, headers: [Self.key: String(repeating: "x", count: 256)])
            #expect(long.status == .badRequest)
            #expect(long.text.contains("invalid-idempotency-key"))

            // After a day the answer is forgotten and the key runs the request again.
            clock.advance(by: 86_401)
            let relogged = try await client.token(for: aliceUser)
            let late = try await client.send(.post, "/api/v1/branches", token: relogged, json: body, headers: [Self.key: "k-1"])
            #expect(late.status == .conflict)
            #expect(late.headers[Self.replayed] == nil)
        }
    }

    @Test("concurrent requests with one key: one runs, the rest replay it or are told it is running", arguments: TestBackend.available)
    func concurrent(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let alice = try await client.token(for: try await dependencies.makeUser("alice@example.com", role: .developer))
            let body = #"{"branch":"main","resource_type":"object-types","ttl_seconds":60}"#
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await client.send(.post, "/api/v1/locks", token: alice, json: body, headers: [Self.key: "lock-once"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = responses.filter { $0.status == .created }
            let running = responses.filter { $0.status == .conflict }
            #expect(created.count + running.count == responses.count, "\(responses.map(\.status))")
            #expect(created.filter { $0.headers[Self.replayed] == nil }.count == 1)
            #expect(Set(try created.map { try $0.json["fencing_token"] as? Int }).count == 1)
            #expect(running.allSatisfy { $0.text.contains("idempotency-request-in-progress") && $0.headers[.retryAfter] != nil })
            let locks = try await client.send(.get, "/api/v1/locks", token: alice)
            #expect((try locks.json["items"] as? [Any])?.count == 1)
            // Once the first has finished, every retry is a replay.
            let retry = try await client.send(.post, "/api/v1/locks", token: alice, json: body, headers: [Self.key: "lock-once"])
            #expect(retry.status == .created)
            #expect(retry.headers[Self.replayed] == "true")
        }
    }
}
