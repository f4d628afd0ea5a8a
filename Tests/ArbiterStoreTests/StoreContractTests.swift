import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import Foundation
import Testing

/// The same behaviour, checked on every backend: what one backend does, the other must do too.
@Suite("Store contract")
struct StoreContractTests {
    @Test("every value type survives a round trip", arguments: TestBackend.available)
    func valuesRoundTrip(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await database.transaction { executor in
                try await executor.query(
                    """
                    CREATE TABLE sample (
                        id BIGINT PRIMARY KEY, label TEXT, amount DOUBLE PRECISION, payload \(unsafeRaw: executor.dialect == .postgres ? "BYTEA" : "BLOB"),
                        flag BOOLEAN, note TEXT)
                    """)
            }
            let label = "ünïcödé ✓ — 'quoted' \"double\" \\ back"
            let payload: [UInt8] = [0, 1, 2, 255, 0, 128]
            try await database.transaction { executor in
                try await executor.query(
                    """
                    INSERT INTO sample (id, label, amount, payload, flag, note)
                    VALUES (\(Int64.max), \(label), \(-12.5), \(payload), \(true), \(String?.none))
                    """)
                try await executor.query(
                    "INSERT INTO sample (id, label, amount, payload, flag, note) VALUES (\(Int64.min), \(""), \(0.0), \([UInt8]()), \(false), \("x"))")
            }
            let rows = try await database.read { executor in try await executor.query("SELECT * FROM sample ORDER BY id DESC") }
            #expect(rows.count == 2)
            #expect(try rows[0].decode("id", as: Int64.self) == Int64.max)
            #expect(try rows[0].decode("label", as: String.self) == label)
            #expect(try rows[0].decode("amount", as: Double.self) == -12.5)
            #expect(try rows[0].decode("payload", as: [UInt8].self) == payload)
            #expect(try rows[0].decode("flag", as: Bool.self) == true)
            #expect(try rows[0].decode("note", as: String?.self) == nil)
            #expect(try rows[1].decode("id", as: Int64.self) == Int64.min)
            #expect(try rows[1].decode("label", as: String.self) == "")
            #expect(try rows[1].decode("payload", as: [UInt8].self) == [])
            #expect(try rows[1].decode("flag", as: Bool.self) == false)
            #expect(try rows[1].decode("note", as: String?.self) == "x")
        }
    }

    @Test("dates are stored as milliseconds and come back equal", arguments: TestBackend.available)
    func datesRoundTrip(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            let date = Date(unixMilliseconds: 1_795_000_123_456)
            let row = try await database.transaction { executor in
                try await executor.query("CREATE TABLE events (at BIGINT NOT NULL)")
                try await executor.query("INSERT INTO events (at) VALUES (\(date))")
                return try await executor.first("SELECT at FROM events")
            }
            #expect(try row?.decode("at", as: Date.self) == date)
        }
    }

    @Test("interpolated values are bound, never executed", arguments: TestBackend.available)
    func injectionIsInert(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            let payloads = [
                "x'); DROP TABLE notes; --", "' OR '1'='1", "\\'; SELECT pg_sleep(5); --", "1; DELETE FROM notes",
                "$1", "?", "%s", "\u{0}",
            ]
            try await database.transaction { executor in
                try await executor.query("CREATE TABLE notes (body TEXT NOT NULL)")
                for payload in payloads.dropLast() {
                    try await executor.query("INSERT INTO notes (body) VALUES (\(payload))")
                }
            }
            let stored = try await database.read { executor in
                try await executor.query("SELECT body FROM notes").map { try $0.decode("body", as: String.self) }
            }
            #expect(Set(stored) == Set(payloads.dropLast()))
            let matches = try await database.read { executor in
                try await executor.query("SELECT body FROM notes WHERE body = \("' OR '1'='1")")
            }
            #expect(matches.count == 1)
        }
    }

    @Test("a transaction that throws leaves nothing behind", arguments: TestBackend.available)
    func rollbackOnError(backend: TestBackend) async throws {
        struct Abort: Error {}
        try await withTestDatabase(backend) { database, _ in
            try await database.transaction { executor in
                try await executor.query("CREATE TABLE items (name TEXT PRIMARY KEY)")
            }
            await #expect(throws: Abort.self) {
                try await database.transaction { executor in
                    try await executor.query("INSERT INTO items (name) VALUES (\("first"))")
                    throw Abort()
                }
            }
            try await database.transaction { executor in
                try await executor.query("INSERT INTO items (name) VALUES (\("second"))")
            }
            let names = try await database.read { executor in
                try await executor.query("SELECT name FROM items").map { try $0.decode("name", as: String.self) }
            }
            #expect(names == ["second"])
        }
    }

    @Test("a statement that fails inside a transaction dooms it, even when the body catches the error", arguments: TestBackend.available)
    func failedStatementDoomsTransaction(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await database.transaction { executor in
                try await executor.query("CREATE TABLE accounts (name TEXT PRIMARY KEY)")
                try await executor.query("INSERT INTO accounts (name) VALUES (\("taken"))")
            }
            let error = await #expect(throws: StoreError.self) {
                try await database.transaction { executor in
                    try await executor.query("INSERT INTO accounts (name) VALUES (\("new"))")
                    do {
                        try await executor.query("INSERT INTO accounts (name) VALUES (\("taken"))")
                    } catch {
                        // Swallowed on purpose: the transaction must still not commit half its work.
                    }
                }
            }
            #expect(error?.code == .duplicate)
            let names = try await database.read { executor in
                try await executor.query("SELECT name FROM accounts ORDER BY name").map { try $0.decode("name", as: String.self) }
            }
            #expect(names == ["taken"])
        }
    }

    @Test("constraint violations map to store error codes", arguments: TestBackend.available)
    func constraintErrors(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await database.transaction { executor in
                try await executor.query("CREATE TABLE parents (id TEXT PRIMARY KEY)")
                try await executor.query(
                    "CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parents (id), age BIGINT CHECK (age >= 0))")
                try await executor.query("INSERT INTO parents (id) VALUES (\("p1"))")
            }
            func code(_ query: SQLQuery) async -> StoreError.Code? {
                do {
                    try await database.transaction { executor in try await executor.query(query) }
                    return nil
                } catch let error as StoreError {
                    return error.code
                } catch {
                    return nil
                }
            }
            #expect(await code("INSERT INTO parents (id) VALUES (\("p1"))") == .duplicate)
            #expect(await code("INSERT INTO children (id, parent_id) VALUES (\("c1"), \("missing"))") == .foreignKey)
            #expect(await code("INSERT INTO children (id, parent_id) VALUES (\("c2"), \(String?.none))") == .constraint)
            #expect(await code("INSERT INTO children (id, parent_id, age) VALUES (\("c3"), \("p1"), \(-1))") == .constraint)
            #expect(await code("INSERT INTO children (id, parent_id, age) VALUES (\("c4"), \("p1"), \(3))") == nil)
        }
    }

    @Test("a column read as the wrong type is a decoding error naming the column", arguments: TestBackend.available)
    func decodingErrors(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            let row = try #require(try await database.read { executor in try await executor.first("SELECT 'text' AS word") })
            let error = try #require(throws: StoreError.self) { try row.decode("word", as: Int64.self) }
            #expect(error.code == .decoding)
            #expect(error.message.contains("word"))
            let missing = try #require(throws: StoreError.self) { try row.decode("absent", as: String.self) }
            #expect(missing.message.contains("absent"))
        }
    }

    @Test("concurrent read-modify-write transactions lose no update", arguments: TestBackend.available)
    func concurrentIncrements(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await database.transaction { executor in
                try await executor.query("CREATE TABLE counter (id BIGINT PRIMARY KEY, value BIGINT NOT NULL)")
                try await executor.query("INSERT INTO counter (id, value) VALUES (1, 0)")
            }
            let seen = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await database.transaction { executor in
                            // Read, then write from what was read: only correct if the row is locked in between.
                            let current = try await executor.first(
                                "SELECT value FROM counter WHERE id = 1\(unsafeRaw: executor.dialect == .postgres ? " FOR UPDATE" : "")")
                            let value = try current!.decode("value", as: Int64.self) + 1
                            try await executor.query("UPDATE counter SET value = \(value) WHERE id = 1")
                            return value
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(seen.sorted() == Array(1...50))
            let final = try await database.read { executor in try await executor.first("SELECT value FROM counter WHERE id = 1") }
            #expect(try final?.decode("value", as: Int64.self) == 50)
        }
    }

    @Test("readers see what a transaction committed", arguments: TestBackend.available)
    func readsSeeCommits(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await database.transaction { executor in try await executor.query("CREATE TABLE log (n BIGINT NOT NULL)") }
            for n in 1...5 {
                try await database.transaction { executor in try await executor.query("INSERT INTO log (n) VALUES (\(n))") }
                let count = try await database.read { executor in
                    try await executor.first("SELECT COUNT(*) AS total FROM log")?.decode("total", as: Int64.self)
                }
                #expect(count == Int64(n))
            }
        }
    }

    @Test("ping answers on a working database", arguments: TestBackend.available)
    func ping(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await database.ping()
        }
    }
}
