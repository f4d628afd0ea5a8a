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
        // Closed on every path: a store dropped with open connections traps, which would end the whole test run.
        do {
            try await first.transaction { executor in try await executor.query("CREATE TABLE hits (n BIGINT NOT NULL)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in [first, second] {
                    group.addTask {
                        for n in 0..<30 {
                            try await store.transaction { executor in try await executor.query("INSERT INTO hits (n) VALUES (\(n))") }
                            // A pause between writes, as real processes have: a writer that re-takes the lock at once can
                            // starve the other past its busy timeout when the machine is loaded.
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = try await second.read { executor in
                try await executor.first("SELECT COUNT(*) AS total FROM hits")?.decode("total", as: Int64.self)
            }
            #expect(total == 60)
        } catch {
            await first.close()
            await second.close()
            throw error
        }
        await first.close()
        await second.close()
    }

    @Test("a transaction started inside another fails at once instead of waiting forever for the writer")
    func nestedTransaction() async throws {
        try await withTestDatabase(.sqlite) { database, _ in
            let error = await #expect(throws: StoreError.self) {
                try await database.transaction { _ in
                    try await database.transaction { executor in try await executor.query("SELECT 1") }
                }
            }
            #expect(error?.message.contains("inside another transaction") == true)
            // The writer is free again afterwards.
            try await database.transaction { executor in try await executor.query("SELECT 1") }
        }
    }

    @Test("cancelling a task in the middle of a transaction rolls it back and frees the writer")
    func cancelledTransaction() async throws {
        try await withTestDatabase(.sqlite) { database, _ in
            try await database.transaction { executor in try await executor.query("CREATE TABLE jobs (id BIGINT PRIMARY KEY)") }
            let inside = AsyncStream.makeStream(of: Void.self)
            let task = Task {
                try await database.transaction { executor in
                    try await executor.query("INSERT INTO jobs (id) VALUES (1)")
                    inside.continuation.yield()
                    try await Task.sleep(for: .seconds(30))
                    try await executor.query("INSERT INTO jobs (id) VALUES (2)")
                }
            }
            var iterator = inside.stream.makeAsyncIterator()
            await iterator.next()
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            // Another transaction gets the writer, and nothing of the cancelled one was kept.
            try await withTimeout(.seconds(10)) {
                try await database.transaction { executor in try await executor.query("INSERT INTO jobs (id) VALUES (3)") }
            }
            let ids = try await database.read { executor in
                try await executor.query("SELECT id FROM jobs").map { try $0.decode("id", as: Int64.self) }
            }
            #expect(ids == [3])
        }
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
