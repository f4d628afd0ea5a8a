import ArbiterCore
import ArbiterStore
import Foundation
import Logging
import ServiceLifecycle

/// The backends every contract test runs against.
public enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL"

    public var description: String { rawValue }

    /// The URL of the PostgreSQL server `scripts/test` starts; `nil` when tests run without it.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ARBITER_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `host:port` of the test server.
    public static var postgresHostPort: String {
        guard let url = postgresURL, case .success(let settings) = PostgresSettings.parse(url), case .tcp(let host, let port) = settings.endpoint
        else { return "127.0.0.1:5432" }
        return "\(host):\(port)"
    }

    /// `true` under CI, where a PostgreSQL test must never be skipped.
    public static var isCI: Bool {
        ["true", "1"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")
    }

    /// SQLite always; PostgreSQL when a server is configured, and under CI even without one (so that it fails).
    public static var available: [TestBackend] {
        if postgresURL != nil || isCI { return [.sqlite, .postgres] }
        FileHandle.standardError.write(
            Data("warning: ARBITER_TEST_DATABASE_URL is not set; PostgreSQL tests are skipped (scripts/test sets it)\n".utf8))
        return [.sqlite]
    }
}

/// Why a test database could not be made.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// A logger that drops everything unless `ARBITER_TEST_LOG` names a level.
public func testLogger(_ label: String = "test") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["ARBITER_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}

/// Runs `body` with a new, empty database on `backend` and removes it afterwards.
///
/// SQLite gets a file in a new temporary folder; PostgreSQL gets a new database on the test server.
public func withTestDatabase<T: Sendable>(
    _ backend: TestBackend, poolSize: Int = 4,
    _ body: @Sendable (any ServiceDatabase, ArbiterConfiguration.Database) async throws -> T
) async throws -> T {
    switch backend {
    case .sqlite:
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = ArbiterConfiguration.Database.sqlite(path: folder + "/arbiter.sqlite")
        let store = try await StoreFactory.open(configuration, poolSize: poolSize, logger: testLogger())
        return try await running(store) { try await body(store, configuration) }
    case .postgres:
        guard let url = TestBackend.postgresURL else {
            throw TestDatabaseError(
                description: "ARBITER_TEST_DATABASE_URL is not set; run the suite with scripts/test, which starts PostgreSQL")
        }
        guard case .success(var settings) = PostgresSettings.parse(url) else {
            throw TestDatabaseError(description: "ARBITER_TEST_DATABASE_URL is not a valid postgres:// URL")
        }
        let name = "arbiter_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresStore(settings: settings, poolSize: 1, logger: testLogger())
        try await running(admin) {
            try await admin.read { executor in try await executor.query("CREATE DATABASE \(unsafeRaw: name)") }
        }
        settings.database = name
        let configuration = ArbiterConfiguration.Database.postgres(settings)
        let store = try await StoreFactory.open(configuration, poolSize: poolSize, logger: testLogger())
        do {
            let result = try await running(store) { try await body(store, configuration) }
            try await dropDatabase(name, admin: url)
            return result
        } catch {
            try? await dropDatabase(name, admin: url)
            throw error
        }
    }
}

private func dropDatabase(_ name: String, admin url: String) async throws {
    guard case .success(let settings) = PostgresSettings.parse(url) else { return }
    let admin = try PostgresStore(settings: settings, poolSize: 1, logger: testLogger())
    try await running(admin) {
        try await admin.read { executor in try await executor.query("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)") }
    }
}

/// Runs `store`'s service loop around `body`, then stops it and waits until it has closed.
@discardableResult
public func running<T: Sendable>(_ store: any ServiceDatabase, _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try? await store.run()
            return nil
        }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// A new empty folder under the system's temporary folder.
public func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "arbiter-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
