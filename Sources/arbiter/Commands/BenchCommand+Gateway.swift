import ArbiterAI
import ArbiterFakeProvider
import AsyncHTTPClient
import ArgumentParser
import Foundation
import NIOCore

extension BenchCommand {
    /// A fake model provider on a fixed port, for benchmarks that point other gateways (LiteLLM) at it.
    struct FakeProviderServer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fake-provider",
            abstract: "Serve a fake model provider (OpenAI /v1/chat/completions and Anthropic /v1/messages) until stopped.")

        @Option(help: "TCP port on 127.0.0.1.") var port = 18_090
        @Option(help: "Milliseconds before each answer.") var latencyMs = 0

        func run() async throws {
            try await FakeModelServer.run(port: port) { fake in
                fake.setDefault(
                    .answer(#"{"findings":[]}"#, usage: FakeUsage(input: 120, output: 8), latency: .milliseconds(latencyMs)))
                print("fake provider listening on \(fake.openAIBaseURL)")
                while true { try await Task.sleep(for: .seconds(3600)) }
            }
        }
    }

    /// Latency Arbiter's chain adds over calling the provider directly, at fixed request rates, optionally next to
    /// another gateway (LiteLLM's proxy) pointed at the same provider.
    struct GatewayBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gateway",
            abstract: "Added latency of the model chain over direct provider calls at fixed request rates (p50, p99).",
            discussion: """
                Start a provider first (arbiter bench fake-provider), or let scripts/bench-gateway do everything, LiteLLM included.
                Requests are sent open-loop on a fixed schedule and timed from their scheduled start, so a slow
                gateway cannot hide its queueing. Every request has a different prompt: nothing is answered from a cache.
                """)

        @Option(help: "OpenAI-compatible base URL of the provider.") var providerURL = "http://127.0.0.1:18090/v1"
        @Option(help: "Base URL of another gateway to compare (e.g. LiteLLM at http://127.0.0.1:4000/v1).") var compareURL: String?
        @Option(help: "Name of the compared gateway, for the report.") var compareName = "litellm"
        @Option(help: "Bearer key for the compared gateway (LiteLLM's master key).") var compareKey = "bench"
        @Option(help: "Request rates to measure, comma-separated.") var rates = "100,1000"
        @Option(help: "Seconds per rate and path.") var seconds = 10
        @Option(help: "Model name sent.") var model = "fake-model"

        func run() async throws {
            let rates = self.rates.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
            guard !rates.isEmpty else { throw ValidationError("--rates needs at least one positive number") }
            let clients = HTTPClients()
            let timeouts = ProviderEndpoint.Timeouts(connect: .seconds(5), read: .seconds(30), total: .seconds(60))
            let direct = OpenAICompatibleProvider(endpoint: .init(kind: .openAI, baseURL: providerURL, apiKey: "bench", timeouts: timeouts), clients: clients)
            let compared = compareURL.map {
                OpenAICompatibleProvider(endpoint: .init(kind: .openAI, baseURL: $0, apiKey: compareKey, timeouts: timeouts), clients: clients)
            }
            let gateway = ModelGateway(options: GatewayOptions(retry: .none), clients: clients)
            let tier = ResolvedTier(
                tier: .init(provider: "bench", model: model, contextWindow: 32_000, maxOutputTokens: 256, concurrency: 4_096, queueLimit: 100_000),
                endpoint: .init(kind: .openAI, baseURL: providerURL, apiKey: "bench", timeouts: timeouts), providerName: "bench")
            let model = self.model
            @Sendable func request(_ index: Int) -> ChatRequest {
                ChatRequest(model: model, system: "You review code.", messages: [ChatMessage(.user, "review request \(index)")], maxOutputTokens: 256)
            }
            // Warm connections and code paths.
            for index in 0..<200 {
                _ = try await direct.complete(request(-index))
                _ = try await gateway.answer(.init(system: "You review code.", user: "warm \(index)", promptVersion: "bench", cacheScope: "bench"), tiers: [tier], streaming: false)
                if let compared { _ = try await compared.complete(request(-index)) }
            }
            print("rate  path            requests  errors   p50 ms   p99 ms")
            var counter = 0
            for rate in rates {
                var results: [(String, Stats)] = []
                counter += 1_000_000
                let base = counter
                results.append(("direct", try await Self.measure(rate: rate, seconds: seconds) { _ = try await direct.complete(request(base + $0)) }))
                results.append(
                    ("arbiter chain",
                     try await Self.measure(rate: rate, seconds: seconds) { index in
                         let answer = try await gateway.answer(
                             .init(system: "You review code.", user: "review request \(base + index)", promptVersion: "bench", cacheScope: "bench"),
                             tiers: [tier], streaming: false)
                         guard answer.text != nil else { throw ProviderError.transport(answer.attempts.last?.detail ?? "no answer") }
                     }))
                if let compared {
                    results.append((compareName, try await Self.measure(rate: rate, seconds: seconds) { _ = try await compared.complete(request(base + $0)) }))
                }
                for (name, stats) in results {
                    let padded = name.padding(toLength: 14, withPad: " ", startingAt: 0)
                    print(String(format: "%4d  ", rate) + padded + String(format: "  %8d  %6d  %7.3f  %7.3f", stats.count, stats.errors, stats.p50, stats.p99))
                }
                let directStats = results[0].1
                for (name, stats) in results.dropFirst() {
                    print(
                        String(
                            format: "%4d  overhead of %@: p50 %+.3f ms, p99 %+.3f ms", rate, name as NSString, stats.p50 - directStats.p50,
                            stats.p99 - directStats.p99))
                }
            }
            await clients.shutdown()
        }

        struct Stats {
            var count: Int
            var errors: Int
            var p50: Double
            var p99: Double
        }

        /// Sends `rate` requests a second for `seconds`, each timed from when it was due.
        static func measure(rate: Int, seconds: Int, _ call: @escaping @Sendable (Int) async throws -> Void) async throws -> Stats {
            let total = rate * seconds
            let start = ContinuousClock.now
            let interval = Duration.nanoseconds(1_000_000_000 / Int64(rate))
            let samples = try await withThrowingTaskGroup(of: Double?.self) { group in
                for index in 0..<total {
                    let due = start + interval * index
                    try await Task.sleep(until: due, clock: .continuous)
                    group.addTask {
                        do {
                            try await call(index)
                            let elapsed = ContinuousClock.now - due
                            return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                        } catch {
                            return nil
                        }
                    }
                }
                return try await group.reduce(into: [Double?]()) { $0.append($1) }
            }
            let times = samples.compactMap { $0 }.sorted()
            func percentile(_ p: Double) -> Double { times.isEmpty ? .nan : times[min(times.count - 1, Int(Double(times.count) * p))] }
            return Stats(count: total, errors: samples.count - times.count, p50: percentile(0.5), p99: percentile(0.99))
        }
    }
}
