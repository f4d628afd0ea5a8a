import ArbiterCore
import ArbiterStore
import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// `arbiter bench`: helpers for the benchmark scripts in `scripts/`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark helpers (see scripts/bench-http, bench-review, bench-gateway).",
        subcommands: [BaselineServer.self, RateLimiterBench.self, ReviewBench.self, GatewayBench.self, FakeProviderServer.self, OntologyBench.self, OntologyStoreBench.self]
    )

    /// A bare Hummingbird server with the same `/healthz` body and none of Arbiter's middleware: the yardstick.
    struct BaselineServer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "baseline-server",
            abstract: "Serve GET /healthz from a bare Hummingbird router, for comparison with `arbiter serve`.")

        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "TCP port to listen on.") var port = 8081

        func run() async throws {
            let router = Router()
            router.get("/healthz") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: .init(string: #"{"status":"ok"}"#)))
            }
            var logger = Logger(label: "baseline")
            logger.logLevel = .warning
            let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
            try await app.runService()
        }
    }
}

extension BenchCommand {
    /// Measures one request's rate-limit check against the configured database, as the server makes it.
    struct RateLimiterBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rate-limiter",
            abstract: "Time the per-request rate-limit check (two buckets) against the configured database.",
            discussion: "Run it with --database-url to measure the PostgreSQL limiter that replicas share; applies migrations first.")

        @Option(help: "How many checks to time.") var iterations = 5000
        @OptionGroup var options: DatabaseCommandOptions

        func run() async throws {
            let (configuration, logger) = try options.prepare()
            let iterations = max(100, self.iterations)
            let (samples, baseline) = try await withDatabase(configuration, logger: logger) { database in
                try await Migrator(database: database).migrate()
                let limiter = SQLRateLimiter(database: database, clock: SystemWallClock())
                let policy = RateLimitPolicy(limit: 1_000_000, window: .seconds(60))
                var samples: [Duration] = []
                var baseline: [Duration] = []
                samples.reserveCapacity(iterations)
                for index in 0..<(iterations + 200) {
                    let start = ContinuousClock.now
                    _ = try await limiter.hit(["read:address:10.0.\(index % 50).1", "read:user:bench-\(index % 20)"], policy: policy)
                    // The first 200 warm the connection pool and the server's caches.
                    if index >= 200 { samples.append(ContinuousClock.now - start) }
                    // For scale: the cheapest possible round trip through the same pool.
                    let trivial = ContinuousClock.now
                    try await database.autocommit { executor in try await executor.query("SELECT 1 AS one") }
                    if index >= 200 { baseline.append(ContinuousClock.now - trivial) }
                }
                return (samples.sorted(), baseline.sorted())
            }
            func milliseconds(_ duration: Duration) -> String {
                String(format: "%.3f", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
            }
            let percentile = { (p: Double) in samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
            print("rate-limit check on \(configuration.database.backendName), \(samples.count) requests:")
            print("  p50 \(milliseconds(percentile(0.5))) ms, p90 \(milliseconds(percentile(0.9))) ms, p99 \(milliseconds(percentile(0.99))) ms")
            print("  for scale, SELECT 1 through the same pool: p50 \(milliseconds(baseline[baseline.count / 2])) ms")
        }
    }
}
