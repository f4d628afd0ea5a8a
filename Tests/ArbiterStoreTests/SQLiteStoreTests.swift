import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import Foundation
import Testing

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("writes run in WAL mode with full sync, foreign keys and a busy timeout; readers cannot write")
    func connectionSettings() async throws {
        try await withTestDatabase(.sqlite) { database, _ in
            let settings = try await database.transaction { executor in
                (
                    try await executor.first("PRAGMA journal_mode")?.decode("journal_mode", as: String.self),
                    try await executor.first("PRAGMA synchronous")?.decode("synchronous", as: Int64.self),
                    try await executor.first("PRAGMA foreign_keys")?.decode("foreign_keys", as: Int64.self),
                    try await executor.first("PRAGMA busy_timeout")?.decode("timeout", as: Int64.self)
                )
            }
            #expect(settings.0 == "wal")
            #expect(settings.1 == 2)  // FULL: a commit is on disk before it is acknowledged.
            #expect(settings.2 == 1)
            #expect(settings.3 == 5000)
            let readerError = await #expect(throws: StoreError.self) {
                try await database.read { executor in try await executor.query("CREATE TABLE sneaky (id INTEGER)") }
            }
            #expect(readerError != nil)
        }
    }

    @Test("two stores on one file, as two processes would be, both commit every write")
    func twoWritersOneFile() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/shared.sqlite"
        let first = try await SQLiteStore.open(path: path, logger: testLogger())
        let second = try await SQLiteStore.open(path: path, logger: testLogger())
        try await first.transaction { executor in try await executor.query("CREATE TABLE hits (n BIGINT NOT NULL)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [first, second] {
                group.addTask {
                    for n in 0..<50 {
                        try await store.transaction { executor in try await executor.query("INSERT INTO hits (n) VALUES (\(n))") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = try await second.read { executor in
            try await executor.first("SELECT COUNT(*) AS total FROM hits")?.decode("total", as: Int64.self)
        }
        #expect(total == 100)
        await first.close()
        await second.close()
    }

    @Test("after close every call fails as unavailable instead of hanging")
    func closedStore() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try await SQLiteStore.open(path: folder + "/closed.sqlite", logger: testLogger())
        await store.close()
        let error = await #expect(throws: StoreError.self) { try await store.ping() }
        #expect(error?.code == .unavailable)
    }
}
