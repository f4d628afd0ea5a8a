import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Emergency overrides end to end: request, self-approval refused, approval by another admin, single use by the
/// requester on its branch, expiry, audit.
@Suite("Ontology emergency overrides")
struct OverridesHTTPTests {
    static let override = HTTPField.Name("X-Override-ID")!

    @Test("an approved override lets its requester write once without an issue reference; every step is audited", arguments: TestBackend.available)
    func flow(backend: TestBackend) async throws {
        let clock = ManualWallClock(Date())
        try await withTestApplication(backend, clock: clock) { client, dependencies in
            let firstAdmin = try await dependencies.makeUser("ada@example.com", role: .admin)
            let ada = try await client.token(for: firstAdmin)
            let grace = try await client.token(for: try await dependencies.makeUser("grace@example.com", role: .admin))
            let dev = try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer))
            let head = try #require(
                try await client.send(.put, "/api/v1/branches/main/protection", token: ada, json: #"{"protected":true}"#).json["head"] as? String)

            let short = try await client.send(.post, "/api/v1/overrides", token: ada, json: #"{"branch":"main","justification":"urgent"}"#)
            #expect(short.status == .unprocessableContent)
            let requested = try await client.send(
                .post, "/api/v1/overrides", token: ada, json: #"{"branch":"main","justification":"Production outage INC-1: the schema blocks every deploy"}"#)
            #expect(requested.status == .created)
            let id = try #require(try requested.json["id"] as? String)
            let body = #"{"display_name":"Hotfix","properties":[{"id":"k","display_name":"K","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#

            // Pending: not usable. Self-approval: refused. A developer cannot approve.
            #expect(try await client.send(
                .put, "/api/v1/branches/main/object-types/hotfix", token: ada, json: body, headers: [.ifMatch: "\"\(head)\"", Self.override: id]).status
                == .conflict)
            #expect(try await client.send(.post, "/api/v1/overrides/\(id)/approve", token: ada).status == .forbidden)
            #expect(try await client.send(.post, "/api/v1/overrides/\(id)/approve", token: dev).status == .forbidden)
            let approved = try await client.send(.post, "/api/v1/overrides/\(id)/approve", token: grace)
            #expect(try approved.json["status"] as? String == "approved")
            #expect(try await client.send(.post, "/api/v1/overrides/\(id)/approve", token: grace).status == .conflict)

            // Only its requester may use it.
            #expect(try await client.send(
                .put, "/api/v1/branches/main/object-types/hotfix", token: grace, json: body, headers: [.ifMatch: "\"\(head)\"", Self.override: id]).status
                == .forbidden)
            let used = try await client.send(
                .put, "/api/v1/branches/main/object-types/hotfix", token: ada, json: body, headers: [.ifMatch: "\"\(head)\"", Self.override: id])
            #expect(used.status == .created, "\(used.text)")
            let next = (used.headers[.eTag] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let again = try await client.send(
                .put, "/api/v1/branches/main/object-types/other", token: ada, json: body, headers: [.ifMatch: "\"\(next)\"", Self.override: id])
            #expect(again.status == .conflict)
            let spent = try await client.send(.get, "/api/v1/overrides/\(id)", token: dev)
            #expect(try spent.json["status"] as? String == "used")
            #expect(try spent.json["used_commit"] as? String == next)

            let actions = try await dependencies.audit.list(.init(organizationID: firstAdmin.organizationID), limit: 100, cursor: nil).records.map {
                "\($0.event.action) \($0.event.outcome.rawValue)"
            }
            for expected in ["ontology.override.request success", "ontology.override.approve denied", "ontology.override.approve success",
                             "ontology.override.use success"] {
                #expect(actions.contains(expected), "\(expected) missing from \(actions)")
            }

            // An approved override expires after 24 hours.
            let late = try #require(
                try await client.send(
                    .post, "/api/v1/overrides", token: ada, json: #"{"branch":"main","justification":"Another emergency that needs a quick fix"}"#
                ).json["id"] as? String)
            _ = try await client.send(.post, "/api/v1/overrides/\(late)/approve", token: grace)
            clock.advance(by: 24 * 3600 + 1)
            let freshToken = try await client.token(for: firstAdmin)  // the old access token has expired too
            let expired = try await client.send(
                .put, "/api/v1/branches/main/object-types/late", token: freshToken, json: body, headers: [.ifMatch: "\"\(next)\"", Self.override: late])
            #expect(expired.status == .conflict)
            #expect(expired.text.contains("expired"))
        }
    }
}
