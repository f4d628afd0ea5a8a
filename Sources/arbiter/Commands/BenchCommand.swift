import ArgumentParser
import Hummingbird
import Logging

/// `arbiter bench`: helpers for the benchmark scripts in `scripts/`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark helpers (see scripts/bench-http).",
        subcommands: [BaselineServer.self]
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
