import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import Foundation
import Testing

@Suite("PostgreSQL store", .enabled(if: TestBackend.postgresURL != nil || TestBackend.isCI))
struct PostgresStoreTests {
    func settings(_ transform: (inout PostgresSettings) -> Void = { _ in }) throws -> PostgresSettings {
        let url = try #require(TestBackend.postgresURL, "ARBITER_TEST_DATABASE_URL is needed (scripts/test sets it)")
        var settings = try PostgresSettings.parse(url).get()
        transform(&settings)
        return settings
    }

    @Test("a reachable server with the right settings passes the connection check")
    func reachable() async throws {
        let store = try PostgresStore(settings: try settings(), poolSize: 1, logger: testLogger())
        try await store.checkConnection()
    }

    @Test("sslmode=require against a server without TLS is rejected at once, not retried")
    func tlsRequiredButUnavailable() async throws {
        let store = try PostgresStore(settings: try settings { $0.tlsMode = .require }, poolSize: 1, logger: testLogger())
        let start = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) { try await store.waitUntilReachable(timeout: .seconds(20)) }
        #expect(error?.code == .rejected)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("sslmode=prefer falls back to plain TCP when the server offers no TLS")
    func tlsPreferred() async throws {
        let store = try PostgresStore(settings: try settings { $0.tlsMode = .prefer }, poolSize: 1, logger: testLogger())
        try await store.checkConnection()
    }

    @Test("an unknown database is rejected with PostgreSQL's own words")
    func unknownDatabase() async throws {
        let store = try PostgresStore(settings: try settings { $0.database = "no_such_database" }, poolSize: 1, logger: testLogger())
        let error = await #expect(throws: StoreError.self) { try await store.checkConnection() }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains(#"database "no_such_database" does not exist"#) == true)
    }

    @Test("nothing listening is unavailable, and the wait gives up after its timeout")
    func nothingListening() async throws {
        let store = try PostgresStore(
            settings: try settings { $0.endpoint = .tcp(host: "127.0.0.1", port: 1) }, poolSize: 1, logger: testLogger())
        let error = await #expect(throws: StoreError.self) {
            try await store.waitUntilReachable(timeout: .seconds(2), retryEvery: .milliseconds(200))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("not reachable after") == true)
    }

    @Test("a pool that is not running fails requests as unavailable instead of hanging")
    func poolNotRunning() async throws {
        let store = try PostgresStore(settings: try settings(), poolSize: 1, logger: testLogger())
        let task = Task { try await store.ping() }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let error = await #expect(throws: StoreError.self) { try await task.value }
        #expect(error?.code == .unavailable)
    }
}
