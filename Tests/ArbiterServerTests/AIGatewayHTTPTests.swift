import ArbiterAI
import ArbiterCore
import ArbiterFakeProvider
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// Providers, the reviewer chain, model reviews, usage and the shared cache, through the real router on both
/// backends, against a fake provider on loopback.
@Suite("AI gateway API")
struct AIGatewayHTTPTests {
    static let key = "sk-live-0a9b8c7d6e5f4a3b2c1d0e9f"
    static let code = "import os\\n\\ndef handler(request):\\n    os.system(\\\"ls \\\" + request.args[\\\"dir\\\"])\\n    return 1\\n"
    static let modelAnswer = #"{"findings":[{"path":"app/run.py","line":5,"severity":"medium","category":"bug","title":"constant result","message":"handler always returns 1","confidence":"medium"}]}"#

    struct Tokens {
        let admin: String
        let maintainer: String
        let developer: String
        let organizationID: String
    }

    /// Users of one organization, the provider key in the secrets store, a provider pointing at `fake`, and a
    /// one-tier configuration.
    static func configure(
        _ client: some TestClientProtocol, _ dependencies: ServerDependencies, fake: FakeModelServer, price: Double = 0, budget: String = "null",
        tiers: String? = nil
    ) async throws -> Tokens {
        let lead = try await dependencies.makeUser("lead@example.com", role: .maintainer)
        let tokens = Tokens(
            admin: try await client.token(for: try await dependencies.makeUser("admin@example.com", role: .admin)),
            maintainer: try await client.token(for: lead),
            developer: try await client.token(for: try await dependencies.makeUser("dev@example.com", role: .developer)),
            organizationID: lead.organizationID)
        let secret = try await client.send(.put, "/api/v1/secrets/fake-key", token: tokens.admin, json: #"{"value":"\#(key)"}"#)
        #expect(secret.status == .created)
        let provider = try await client.send(
            .put, "/api/v1/providers/fake", token: tokens.maintainer,
            json: #"{"kind":"openai","base_url":"\#(fake.openAIBaseURL)","credential":"fake-key","read_timeout_ms":5000}"#)
        #expect(provider.status == .created)
        let chain =
            tiers
            ?? #"[{"provider":"fake","model":"model-a","context_window":16000,"max_output_tokens":1000,"input_price_per_million":\#(price),"output_price_per_million":\#(price)}]"#
        let config = try await client.send(
            .put, "/api/v1/reviewer-config", token: tokens.maintainer, json: #"{"tiers":\#(chain),"budget":\#(budget),"streaming":false}"#)
        #expect(config.status == .ok, "\(config.text)")
        return tokens
    }

    static func review(_ extra: String = "", content: String = code) -> String {
        #"{"files":[{"path":"app/run.py","content":"\#(content)"}]\#(extra)}"#
    }

    @Test("providers and the chain are validated, guarded by role, audited, and protected against lost updates", arguments: TestBackend.available)
    func configuration(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            try await withTestApplication(backend) { client, dependencies in
                let tokens = try await Self.configure(client, dependencies, fake: fake)
                #expect(try await client.send(.get, "/api/v1/providers", token: tokens.developer).status == .forbidden)
                #expect(try await client.send(.get, "/api/v1/reviewer-config", token: tokens.developer).status == .forbidden)

                let listed = try await client.send(.get, "/api/v1/providers", token: tokens.maintainer)
                let items = try #require(try listed.json["items"] as? [[String: Any]])
                #expect(items.map { $0["name"] as? String } == ["fake"])
                #expect(items.first?["credential"] as? String == "fake-key")
                #expect(!listed.text.contains(Self.key))

                let bad = try await client.send(
                    .put, "/api/v1/providers/bad", token: tokens.maintainer, json: #"{"kind":"openai","base_url":"ftp://x","connect_timeout_ms":1}"#)
                #expect(bad.status == .unprocessableContent)
                let fields = try #require(try bad.json["errors"] as? [[String: Any]]).compactMap { $0["field"] as? String }
                #expect(fields == ["base_url", "connect_timeout_ms"])
                #expect(try await client.send(.put, "/api/v1/providers/bad", token: tokens.maintainer, json: #"{"kind":"gemini","base_url":"http://x"}"#).status
                    == .unprocessableContent)

                let unknown = try await client.send(
                    .put, "/api/v1/reviewer-config", token: tokens.maintainer,
                    json: #"{"tiers":[{"provider":"nope","model":"m","context_window":8000,"max_output_tokens":5000}]}"#)
                #expect(unknown.status == .unprocessableContent)
                #expect(unknown.text.contains("tiers[0].provider"))
                #expect(unknown.text.contains("tiers[0].max_output_tokens"))

                let current = try await client.send(.get, "/api/v1/reviewer-config", token: tokens.maintainer)
                #expect(current.headers[.eTag] == "\"1\"")
                #expect(try current.json["revision"] as? Int == 1)
                let stale = try await client.send(
                    .put, "/api/v1/reviewer-config", token: tokens.maintainer, json: #"{"tiers":[]}"#, headers: [.ifMatch: "\"0\""])
                #expect(stale.status == .preconditionFailed)
                #expect(try stale.json["current_revision"] as? Int == 1)
                let fresh = try await client.send(
                    .put, "/api/v1/reviewer-config", token: tokens.maintainer, json: #"{"tiers":[]}"#, headers: [.ifMatch: "\"1\""])
                #expect(fresh.status == .ok)
                #expect(fresh.headers[.eTag] == "\"2\"")

                let actions = try await dependencies.audit.list(.init(organizationID: tokens.organizationID), limit: 100, cursor: nil).records.map(\.event.action)
                #expect(actions.contains("ai_provider.create"))
                #expect(actions.filter { $0 == "reviewer_config.update" }.count == 2)
            }
        }
    }

    @Test("checking a provider sends one tiny prompt and reports success or the failure's reason, never the key", arguments: TestBackend.available)
    func check(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            try await withTestApplication(backend) { client, dependencies in
                let tokens = try await Self.configure(client, dependencies, fake: fake)
                fake.script([.answer("OK", usage: FakeUsage(input: 12, output: 1)), .status(401, body: #"{"error":{"message":"bad key \#(Self.key)"}}"#)])
                let good = try await client.send(.post, "/api/v1/providers/fake/check", token: tokens.maintainer, json: #"{"model":"model-a"}"#)
                #expect(good.status == .ok)
                #expect(try good.json["ok"] as? Bool == true)
                #expect((try good.json["usage"] as? [String: Any])?["input_tokens"] as? Int == 12)
                let bad = try await client.send(.post, "/api/v1/providers/fake/check", token: tokens.maintainer, json: #"{"model":"model-a"}"#)
                #expect(try bad.json["ok"] as? Bool == false)
                #expect(try bad.json["reason"] as? String == "client_error")
                #expect(!bad.text.contains(Self.key))
                #expect(fake.requestCount == 2)
                #expect(try await client.send(.post, "/api/v1/providers/none/check", token: tokens.maintainer, json: #"{"model":"m"}"#).status == .notFound)
                #expect(try await client.send(.post, "/api/v1/providers/fake/check", token: tokens.developer, json: #"{"model":"m"}"#).status == .forbidden)
                _ = try await client.send(.delete, "/api/v1/secrets/fake-key", token: tokens.admin)
                #expect(try await client.send(.post, "/api/v1/providers/fake/check", token: tokens.maintainer, json: #"{"model":"m"}"#).status
                    == .unprocessableContent)
            }
        }
    }

    @Test("a provider the chain uses cannot be deleted", arguments: TestBackend.available)
    func deleteInUse(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            try await withTestApplication(backend) { client, dependencies in
                let tokens = try await Self.configure(client, dependencies, fake: fake)
                #expect(try await client.send(.delete, "/api/v1/providers/fake", token: tokens.maintainer).status == .conflict)
                _ = try await client.send(.put, "/api/v1/reviewer-config", token: tokens.maintainer, json: #"{"tiers":[]}"#)
                #expect(try await client.send(.delete, "/api/v1/providers/fake", token: tokens.maintainer).status == .noContent)
                #expect(try await client.send(.get, "/api/v1/providers/fake", token: tokens.maintainer).status == .notFound)
            }
        }
    }

    @Test("a review joins model and analyzer findings, records usage and cost, and never shows or logs the key", arguments: TestBackend.available)
    func modelReview(backend: TestBackend) async throws {
        let logs = CapturedLogs()
        try await FakeModelServer.run { fake in
            fake.setDefault(.answer(Self.modelAnswer, usage: FakeUsage(input: 1_200, output: 300)))
            try await withTestApplication(backend, logger: logs.logger()) { client, dependencies in
                let tokens = try await Self.configure(client, dependencies, fake: fake, price: 10)
                let created = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review())
                #expect(created.status == .created, "\(created.text)")
                let review = try created.json
                let findings = try #require(review["findings"] as? [[String: Any]])
                #expect(findings.contains { ($0["source"] as? String) == "analyzer" && ($0["line"] as? Int) == 4 })
                #expect(findings.contains { ($0["source"] as? String) == "ai:fake/model-a" && ($0["line"] as? Int) == 5 })
                let models = try #require(review["models"] as? [String: Any])
                #expect(models["answered"] as? Int == 1)
                #expect(models["cost_micros"] as? Int == 1_200 * 10 + 300 * 10)
                #expect(fake.requests.first?.headers["authorization"] == "Bearer \(Self.key)")

                let usage = try await client.send(.get, "/api/v1/usage", token: tokens.maintainer)
                #expect(usage.status == .ok)
                let total = try #require(try usage.json["total"] as? [String: Any])
                #expect(total["calls"] as? Int == 1)
                #expect(total["input_tokens"] as? Int == 1_200)
                #expect(total["cost_micros"] as? Int == 15_000)
                let byModel = try #require(try usage.json["by_model"] as? [[String: Any]])
                #expect(byModel.first?["key"] as? String == "fake/model-a")
                let byActor = try #require(try usage.json["by_actor"] as? [[String: Any]])
                #expect(byActor.count == 1)
                #expect((byActor.first?["key"] as? String)?.hasPrefix("user:") == true)
                let byDay = try #require(try usage.json["by_day"] as? [[String: Any]])
                #expect(byDay.count == 1 && byDay.first?["calls"] as? Int == 1)
                #expect(try await client.send(.get, "/api/v1/usage?from=2026-13-01", token: tokens.maintainer).status == .badRequest)
                #expect(try await client.send(.get, "/api/v1/usage", token: tokens.developer).status == .forbidden)

                // A failure with the key in the provider's error text does not leak it either.
                fake.script([.status(401, body: #"{"error":{"message":"bad key \#(Self.key)"}}"#)])
                let failed = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review(content: "x = 1\\n"))
                #expect(failed.status == .created)
                #expect(failed.text.contains("client_error"))
                for response in [created, usage, failed] { #expect(!response.text.contains(Self.key)) }
            }
        }
        #expect(!logs.entries.isEmpty)
        #expect(logs.entries.allSatisfy { !"\($0.message) \($0.metadata)".contains(Self.key) })
    }

    @Test("when every model fails, auto falls back to the analyzer without caching the result, and required answers 503", arguments: TestBackend.available)
    func modelsDown(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            fake.setDefault(.status(503))
            try await withTestApplication(backend) { client, dependencies in
                let tokens = try await Self.configure(client, dependencies, fake: fake)
                let first = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review())
                #expect(first.status == .created)
                let models = try #require(try first.json["models"] as? [String: Any])
                #expect(models["answered"] as? Int == 0)
                let attempts = try #require(models["attempts"] as? [[String: Any]])
                #expect(attempts.first?["outcome"] as? String == "failed")
                #expect(attempts.first?["reason"] as? String == "server_error")
                let findings = try #require(try first.json["findings"] as? [[String: Any]])
                #expect(!findings.isEmpty && findings.allSatisfy { $0["source"] as? String == "analyzer" })

                let calls = fake.requestCount
                let again = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review())
                #expect(again.status == .created)
                #expect(try again.json["cached"] as? Bool == false)
                #expect(fake.requestCount > calls)

                let required = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review(#","models":"required""#))
                #expect(required.status == .serviceUnavailable)
                #expect(required.headers[.retryAfter] != nil)
                #expect(required.headers[.contentType] == "application/problem+json")

                let off = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review(#","models":"off""#))
                #expect(off.status == .created)
                #expect(try off.json["models"] == nil)
                let wrong = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review(#","models":"maybe""#))
                #expect(wrong.status == .unprocessableContent)
            }
        }
    }

    @Test("a provider that never answers costs a review no more than model_deadline_ms", arguments: TestBackend.available)
    func hangingProvider(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            fake.setDefault(.hang)
            try await withTestApplication(backend) { client, dependencies in
                let tokens = try await Self.configure(client, dependencies, fake: fake)
                let config = try await client.send(
                    .put, "/api/v1/reviewer-config", token: tokens.maintainer,
                    json: #"{"tiers":[{"provider":"fake","model":"model-a","context_window":16000,"max_output_tokens":1000}],"model_deadline_ms":1000}"#)
                #expect(try config.json["model_deadline_ms"] as? Int == 1000)
                let started = ContinuousClock.now
                let review = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review())
                #expect(review.status == .created)
                #expect(ContinuousClock.now - started < .seconds(30))
                let attempts = try #require((try review.json["models"] as? [String: Any])?["attempts"] as? [[String: Any]])
                #expect(attempts.first?["reason"] as? String == "timeout")
                #expect(try await client.send(.put, "/api/v1/reviewer-config", token: tokens.maintainer, json: #"{"tiers":[],"model_deadline_ms":5}"#).status
                    == .unprocessableContent)
            }
        }
    }

    @Test("a spent hard budget skips paid tiers and says so", arguments: TestBackend.available)
    func hardBudget(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            fake.setDefault(.answer(Self.modelAnswer, usage: FakeUsage(input: 10_000, output: 1_000)))
            try await withTestApplication(backend) { client, dependencies in
                let tokens = try await Self.configure(
                    client, dependencies, fake: fake, price: 100, budget: #"{"soft_limit_usd":0.5,"hard_limit_usd":1}"#)
                let first = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review())
                #expect(try (first.json["models"] as? [String: Any])?["cost_micros"] as? Int == 1_100_000)
                let second = try await client.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review(content: "y = 2\\n"))
                let models = try #require(try second.json["models"] as? [String: Any])
                #expect((models["attempts"] as? [[String: Any]])?.first?["reason"] as? String == "over_budget")
                #expect((models["warnings"] as? [String])?.first?.contains("hard monthly budget") == true)
                #expect(fake.requestCount == 1)
                let usage = try await client.send(.get, "/api/v1/usage", token: tokens.maintainer)
                #expect((try usage.json["budget"] as? [String: Any])?["month_to_date_usd"] as? Double == 1.1)
            }
        }
    }

    @Test("Accept: text/event-stream carries the model's attempt, progress and findings", arguments: TestBackend.available)
    func streaming(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            fake.setDefault(.answer(Self.modelAnswer + String(repeating: " ", count: 1_200)))
            try await withTestApplication(backend) { client, dependencies in
                let tokens = try await Self.configure(client, dependencies, fake: fake)
                _ = try await client.send(
                    .put, "/api/v1/reviewer-config", token: tokens.maintainer,
                    json: #"{"tiers":[{"provider":"fake","model":"model-a","context_window":16000,"max_output_tokens":1000}],"streaming":true}"#)
                let response = try await client.send(
                    .post, "/api/v1/reviews", token: tokens.developer, json: Self.review(), headers: [.accept: "text/event-stream"])
                let names = response.text.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
                #expect(names.contains("model_started"))
                #expect(names.contains("model_progress"))
                #expect(names.contains("model_attempt"))
                #expect(names.last == "summary")
                #expect(response.text.contains(#""source":"ai:fake\/model-a""#) || response.text.contains(#""source":"ai:fake/model-a""#))
                #expect(fake.requests.first?.streaming == true)
            }
        }
    }

    @Test("two replicas on one database share model answers", arguments: TestBackend.available)
    func sharedCache(backend: TestBackend) async throws {
        try await FakeModelServer.run { fake in
            fake.setDefault(.answer(Self.modelAnswer))
            try await withTestDatabase(backend) { database, _ in
                try await Migrator(database: database).migrate()
                let first = try await testDependencies(database)
                try await first.audit.prepare()
                let second = try await testDependencies(database)
                let appOne = Application(router: buildRouter(dependencies: first).router, logger: testLogger())
                let appTwo = Application(router: buildRouter(dependencies: second).router, logger: testLogger())
                try await appOne.test(.router) { one in
                    try await appTwo.test(.router) { two in
                        let tokens = try await Self.configure(one, first, fake: fake)
                        #expect(try await one.send(.post, "/api/v1/reviews", token: tokens.developer, json: Self.review()).status == .created)
                        #expect(fake.requestCount == 1)
                        // Another severity floor is another review, but the same prompt: the other replica's answer is reused.
                        let reused = try await two.send(
                            .post, "/api/v1/reviews", token: tokens.developer, json: Self.review(#","min_severity":"low""#))
                        #expect(reused.status == .created)
                        let attempts = try #require((try reused.json["models"] as? [String: Any])?["attempts"] as? [[String: Any]])
                        #expect(attempts.first?["outcome"] as? String == "cached")
                        #expect(fake.requestCount == 1)
                        #expect(second.ai.gateway.statistics.sharedHits == 1)
                    }
                }
                await first.shutdown()
                await second.shutdown()
            }
        }
    }

    @Test("a streaming client that disconnects cancels the upstream model call", .timeLimit(.minutes(2)))
    func disconnectCancelsUpstream() async throws {
        try await FakeModelServer.run { fake in
            fake.setDefault(.trickle(String(repeating: "x", count: 16 * 400), interval: .milliseconds(25)))
            try await withTestDatabase(.sqlite) { database, _ in
                try await Migrator(database: database).migrate()
                let dependencies = try await testDependencies(database)
                try await dependencies.audit.prepare()
                let app = Application(
                    router: buildRouter(dependencies: dependencies).router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    logger: testLogger())
                try await app.test(.live) { client in
                    let tokens = try await Self.configure(client, dependencies, fake: fake)
                    _ = try await client.send(
                        .put, "/api/v1/reviewer-config", token: tokens.maintainer,
                        json: #"{"tiers":[{"provider":"fake","model":"model-a","context_window":16000,"max_output_tokens":1000}],"streaming":true}"#)
                    let port = try #require(client.port)
                    let reader = Task {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/reviews")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(tokens.developer)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Accept", value: "text/event-stream")
                        request.body = .bytes(ByteBuffer(string: Self.review()))
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                        var received = ""
                        for try await chunk in response.body {
                            received += String(buffer: chunk)
                            // Hang up once the model is streaming.
                            if received.contains("event: model_progress") { return received }
                        }
                        return received
                    }
                    let seen = try await reader.value
                    #expect(seen.contains("event: model_started"))
                    for _ in 0..<400 where fake.abandoned == 0 { try await Task.sleep(for: .milliseconds(25)) }
                    #expect(fake.abandoned == 1, "the upstream stream was not cancelled")
                    #expect(fake.requestCount == 1)
                }
                await dependencies.shutdown()
            }
        }
    }
}
