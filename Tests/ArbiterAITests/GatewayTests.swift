import ArbiterAI
import ArbiterFakeProvider
import Foundation
import Synchronization
import Testing

/// The chain: fallback order, retries, breakers, queues, budgets, the cache, streaming progress.
@Suite("Model gateway")
struct GatewayTests {
    static func tier(
        _ fake: FakeModelServer, model: String, provider: String = "fake", kind: ProviderKind = .openAI, price: Double = 0,
        concurrency: Int = 4, queueLimit: Int = 16, window: Int = 32_000, read: Duration = .seconds(30)
    ) -> ResolvedTier {
        ResolvedTier(
            tier: .init(
                provider: provider, model: model, contextWindow: window, maxOutputTokens: 1_000, inputPricePerMillion: price,
                outputPricePerMillion: price * 4, concurrency: concurrency, queueLimit: queueLimit),
            endpoint: ProviderEndpoint(
                kind: kind, baseURL: kind == .openAI ? fake.openAIBaseURL : fake.anthropicBaseURL, apiKey: "k-\(provider)",
                // Generous: these tests are about the chain's decisions, and on a busy machine (the whole suite on two
                // cores) a slow answer must not become a timeout that changes them.
                timeouts: .init(connect: .seconds(10), read: read, total: read * 2)),
            providerName: provider)
    }

    static func prompt(_ text: String = "review this") -> ModelGateway.Prompt {
        ModelGateway.Prompt(system: "system", user: text, promptVersion: "code-review-v1", cacheScope: "org-1")
    }

    static func gateway(retry: RetryPolicy = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5)), time: any TimeSource = SystemTimeSource())
        -> ModelGateway
    {
        ModelGateway(options: GatewayOptions(retry: retry, time: time))
    }

    @Test("a failing primary is retried, then the secondary answers; both attempts are recorded")
    func fallback() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway()
            fake.script([.status(500), .status(502), .answer("from secondary")])
            let answer = try await gateway.answer(Self.prompt(), tiers: [Self.tier(fake, model: "a"), Self.tier(fake, model: "b")], streaming: false)
            #expect(answer.text == "from secondary")
            #expect(answer.tier == 2)
            #expect(answer.attempts.map(\.outcome) == [.failed, .answered])
            #expect(answer.attempts[0].reason == "server_error")
            #expect(answer.attempts[0].calls == 2)
            #expect(answer.attempts[1].model == "b")
            #expect(fake.requestCount == 3)
            await gateway.shutdown()
        }
    }

    @Test("a 4xx is never retried; a 429 waits for Retry-After and is retried on the same tier")
    func retryPolicy() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1)))
            fake.script([.status(404, body: #"{"error":{"message":"no such model"}}"#), .answer("b answered")])
            let refused = try await gateway.answer(Self.prompt("one"), tiers: [Self.tier(fake, model: "a"), Self.tier(fake, model: "b")], streaming: false)
            #expect(refused.attempts[0].calls == 1)
            #expect(refused.attempts[0].reason == "client_error")
            #expect(refused.tier == 2)

            fake.script([.status(429, headers: ["Retry-After": "0.2"]), .answer("after waiting")])
            let started = ContinuousClock.now
            let limited = try await gateway.answer(Self.prompt("two"), tiers: [Self.tier(fake, model: "c")], streaming: false)
            #expect(limited.text == "after waiting")
            #expect(limited.attempts.count == 1)
            #expect(limited.attempts[0].calls == 2)
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            await gateway.shutdown()
        }
    }

    @Test("five failures open the breaker: the tier is skipped without a call until 60 s pass, then 3 successes close it")
    func breaker() async throws {
        try await FakeModelServer.run { fake in
            let time = ManualTimeSource()
            let gateway = Self.gateway(retry: .none, time: time)
            let primary = Self.tier(fake, model: "flaky")
            fake.setDefault(.status(500))
            for index in 0..<5 {
                let answer = try await gateway.answer(Self.prompt("p\(index)"), tiers: [primary], streaming: false)
                #expect(answer.attempts.first?.outcome == .failed)
            }
            #expect(gateway.breakerState(for: primary) == .open)
            let before = fake.requestCount
            let skipped = try await gateway.answer(Self.prompt("p5"), tiers: [primary], streaming: false)
            #expect(skipped.attempts.first?.reason == "circuit_open")
            #expect(fake.requestCount == before)

            time.advance(by: .seconds(61))
            #expect(gateway.breakerState(for: primary) == .halfOpen)
            fake.setDefault(.answer(#"{"findings":[]}"#))
            for index in 0..<3 {
                let answer = try await gateway.answer(Self.prompt("q\(index)"), tiers: [primary], streaming: false)
                #expect(answer.attempts.first?.outcome == .answered)
            }
            #expect(gateway.breakerState(for: primary) == .closed)
            await gateway.shutdown()
        }
    }

    @Test("a full queue turns calls away to the next tier instead of piling up")
    func queueLimit() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway(retry: .none)
            fake.setDefault(.answer("slow", latency: .milliseconds(400)))
            // Generous timeouts: on a busy machine a slow answer must not turn into a failure that falls through.
            let narrow = Self.tier(fake, model: "narrow", concurrency: 1, queueLimit: 1, read: .seconds(60))
            let wide = Self.tier(fake, model: "wide", provider: "other", read: .seconds(60))
            let answers = try await withThrowingTaskGroup(of: ModelGateway.Answer.self) { group in
                for index in 0..<4 {
                    group.addTask { try await gateway.answer(Self.prompt("r\(index)"), tiers: [narrow, wide], streaming: false) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let turnedAway = answers.filter { $0.attempts.first?.reason == "queue_full" }
            #expect(turnedAway.count == 2, "\(answers.map { ($0.tier, $0.attempts.map { "\($0.outcome) \($0.reason ?? "") \($0.detail ?? "")" }) })")
            #expect(turnedAway.allSatisfy { $0.tier == 2 }, "\(answers.map { ($0.tier, $0.attempts.map { "\($0.outcome) \($0.reason ?? "") \($0.detail ?? "")" }) })")
            #expect(answers.filter { $0.tier == 1 }.count == 2)
            await gateway.shutdown()
        }
    }

    @Test("with the hard budget spent, paid tiers are skipped and a free tier answers")
    func budget() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway()
            fake.setDefault(.answer("free answer"))
            let answer = try await gateway.answer(
                Self.prompt(), tiers: [Self.tier(fake, model: "paid", price: 3), Self.tier(fake, model: "local", provider: "ollama")], paidAllowed: false,
                streaming: false)
            #expect(answer.attempts.map(\.reason) == ["over_budget", nil])
            #expect(answer.attempts[1].costMicros == 0)
            #expect(fake.requests.count == 1)
            await gateway.shutdown()
        }
    }

    @Test("cost follows the reported usage and the tier's prices; missing usage is estimated and says so")
    func cost() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway()
            fake.script([.answer("x", usage: FakeUsage(input: 1_000, output: 500)), .answer("y", usage: nil), .answer("z", usage: FakeUsage(input: -50, output: -1))])
            let priced = Self.tier(fake, model: "priced", price: 2)  // $2 in, $8 out per million
            let first = try await gateway.answer(Self.prompt("c1"), tiers: [priced], streaming: false)
            #expect(first.attempts[0].costMicros == 1_000 * 2 + 500 * 8)
            #expect(first.attempts[0].usage?.estimated == false)
            let second = try await gateway.answer(Self.prompt("c2"), tiers: [priced], streaming: false)
            #expect(second.attempts[0].usage?.estimated == true)
            #expect((second.attempts[0].usage?.inputTokens ?? 0) > 0)
            let third = try await gateway.answer(Self.prompt("c3"), tiers: [priced], streaming: false)
            #expect(third.attempts[0].usage == TokenUsage(inputTokens: 0, outputTokens: 0, estimated: false))
            #expect(third.attempts[0].costMicros == 0)
            await gateway.shutdown()
        }
    }

    @Test("the same prompt is answered from the cache; another tenant or model is not")
    func cache() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway()
            fake.setDefault(.answer("cached text"))
            let tier = Self.tier(fake, model: "m")
            _ = try await gateway.answer(Self.prompt("same"), tiers: [tier], streaming: false)
            let again = try await gateway.answer(Self.prompt("same"), tiers: [tier], streaming: false)
            #expect(again.attempts.first?.outcome == .cached)
            #expect(again.text == "cached text")
            #expect(fake.requestCount == 1)
            var other = Self.prompt("same")
            other.cacheScope = "org-2"
            _ = try await gateway.answer(other, tiers: [tier], streaming: false)
            _ = try await gateway.answer(Self.prompt("same"), tiers: [Self.tier(fake, model: "n")], streaming: false)
            #expect(fake.requestCount == 3)
            #expect(gateway.statistics.memoryHits == 1)
            await gateway.shutdown()
        }
    }

    @Test("a prompt larger than a tier's window skips that tier")
    func contextWindow() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway()
            let answer = try await gateway.answer(
                Self.prompt(String(repeating: "token ", count: 3_000)), tiers: [Self.tier(fake, model: "small", window: 2_048)], streaming: false)
            #expect(answer.attempts.first?.reason == "context_too_small")
            #expect(fake.requestCount == 0)
            await gateway.shutdown()
        }
    }

    @Test("streaming reports the attempt and its progress as the answer arrives", arguments: ProviderKind.allCases)
    func streamingProgress(kind: ProviderKind) async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway()
            fake.setDefault(.answer(String(repeating: "a", count: 2_000)))
            let events = Mutex<[String]>([])
            let answer = try await gateway.answer(Self.prompt(), tiers: [Self.tier(fake, model: "s", kind: kind)], streaming: true) { event in
                let name =
                    switch event {
                    case .attemptStarted: "started"
                    case .progress: "progress"
                    case .attemptFinished: "finished"
                    }
                events.withLock { $0.append(name) }
            }
            #expect(answer.text?.count == 2_000)
            let seen = events.withLock { $0 }
            #expect(seen.first == "started")
            #expect(seen.last == "finished")
            #expect(seen.filter { $0 == "progress" }.count >= 2)
            await gateway.shutdown()
        }
    }

    @Test("past the review's deadline no call starts; a call in flight is cut")
    func deadline() async throws {
        try await FakeModelServer.run { fake in
            let gateway = Self.gateway()
            let expired = try await gateway.answer(Self.prompt("d1"), tiers: [Self.tier(fake, model: "a")], streaming: false, deadline: .now - .seconds(1))
            #expect(expired.attempts.first?.reason == "deadline")
            #expect(fake.requestCount == 0)
            fake.setDefault(.hang)
            let cut = try await gateway.answer(
                Self.prompt("d2"), tiers: [Self.tier(fake, model: "a"), Self.tier(fake, model: "b")], streaming: false,
                deadline: .now + .milliseconds(300))
            #expect(cut.attempts.map(\.reason) == ["timeout", "deadline"])
            #expect(cut.attempts.first?.calls == 1)
            await gateway.shutdown()
        }
    }
}
