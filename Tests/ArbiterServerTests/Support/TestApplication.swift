import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// Runs `body` against the real router on a new database of `backend`.
func withTestApplication(
    _ backend: TestBackend,
    migrate: Bool = true,
    logger: Logger = testLogger(),
    additionalRoutes: @escaping @Sendable (DocumentedRouter<ArbiterRequestContext>) -> Void = { _ in },
    _ body: @escaping @Sendable (any TestClientProtocol, ServerDependencies) async throws -> Void
) async throws {
    try await withTestDatabase(backend) { database, _ in
        if migrate { try await Migrator(database: database).migrate() }
        let dependencies = ServerDependencies(database: database)
        let api = buildRouter(dependencies: dependencies, additionalRoutes: additionalRoutes)
        let app = Application(router: api.router, logger: logger)
        try await app.test(.router) { client in try await body(client, dependencies) }
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        get throws {
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
            guard let dictionary = object as? [String: Any] else { throw TestDatabaseError(description: "body is not a JSON object") }
            return dictionary
        }
    }

    var text: String { String(buffer: body) }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-ID")!
}

/// Collects log entries in memory so tests can read what was logged.
final class CapturedLogs: @unchecked Sendable {
    struct Entry {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var storage: [Entry] = []

    var entries: [Entry] { lock.withLock { storage } }

    func append(_ entry: Entry) { lock.withLock { storage.append(entry) } }

    /// A logger whose every entry lands here.
    func logger() -> Logger {
        Logger(label: "captured") { _ in Handler(logs: self) }
    }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.append(Entry(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}
