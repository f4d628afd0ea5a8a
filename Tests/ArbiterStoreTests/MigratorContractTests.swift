import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import Foundation
import Testing

@Suite("Migrations contract")
struct MigratorContractTests {
    @Test("migrate applies everything once and records it", arguments: TestBackend.available)
    func appliesOnce(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            let clock = ManualWallClock(Date(unixMilliseconds: 1_800_000_000_000))
            let migrator = Migrator(database: database, clock: clock)
            let before = try await migrator.status()
            #expect(before.allSatisfy { $0.status == .pending })
            #expect(try await migrator.pendingVersions() == Migration.all.map(\.version))

            let applied = try await migrator.migrate()
            #expect(applied.map(\.version) == Migration.all.map(\.version))
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.pendingVersions().isEmpty)
            let after = try await migrator.status()
            #expect(after.allSatisfy { $0.status == .applied(at: clock.now()) })
        }
    }

    @Test("migrators racing from separate connections, as replicas would, apply each migration exactly once", arguments: TestBackend.available)
    func concurrentMigrators(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, configuration in
            let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        // Each its own store, so the database's own locking decides, not one process's writer queue.
                        let store = try await StoreFactory.open(configuration, poolSize: 1, logger: testLogger())
                        return try await running(store) { try await Migrator(database: store).migrate().count }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(appliedCounts == Migration.all.count)
            let recorded = try await database.read { executor in
                try await executor.first("SELECT COUNT(*) AS total FROM schema_migrations")?.decode("total", as: Int64.self)
            }
            #expect(recorded == Int64(Migration.all.count))
        }
    }

    @Test("a migration changed after it was applied stops everything", arguments: TestBackend.available)
    func changedMigration(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            let original = TestMigrations.make(version: 1, name: "create_widgets", sql: "CREATE TABLE widgets (id TEXT PRIMARY KEY)")
            try await Migrator(database: database, migrations: [original]).migrate()

            let edited = TestMigrations.make(
                version: 1, name: "create_widgets", sql: "CREATE TABLE widgets (id TEXT PRIMARY KEY, name TEXT)")
            let next = TestMigrations.make(version: 2, name: "create_gadgets", sql: "CREATE TABLE gadgets (id TEXT PRIMARY KEY)")
            let migrator = Migrator(database: database, migrations: [edited, next])

            let status = try await migrator.status()
            guard case .changed = status[0].status else {
                Issue.record("expected migration 1 to be reported as changed, got \(status[0].status)")
                return
            }
            let error = try await #require(throws: StoreError.self) { try await migrator.migrate() }
            #expect(error.code == .migration)
            #expect(error.message.contains("migration 1 (create_widgets) was changed after it was applied"))
            await #expect(throws: StoreError.self) { try await migrator.pendingVersions() }
            // Nothing after the changed migration ran.
            let gadgets = try await database.read { executor in
                try await executor.query(
                    executor.dialect == .sqlite
                        ? "SELECT name FROM sqlite_master WHERE name = 'gadgets'" : "SELECT to_regclass('gadgets')::text AS name WHERE to_regclass('gadgets') IS NOT NULL")
            }
            #expect(gadgets.isEmpty)
        }
    }

    @Test("a database migrated by a newer binary is refused", arguments: TestBackend.available)
    func unknownMigration(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            let first = TestMigrations.make(version: 1, name: "one", sql: "CREATE TABLE one (id TEXT PRIMARY KEY)")
            let second = TestMigrations.make(version: 2, name: "two", sql: "CREATE TABLE two (id TEXT PRIMARY KEY)")
            try await Migrator(database: database, migrations: [first, second]).migrate()

            let older = Migrator(database: database, migrations: [first])
            #expect(try await older.status().last?.status == .unknown)
            let error = try await #require(throws: StoreError.self) { try await older.migrate() }
            #expect(error.message.contains("newer Arbiter"))
        }
    }

    @Test("a failing migration is rolled back and not recorded", arguments: TestBackend.available)
    func failingMigrationRollsBack(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            let broken = TestMigrations.make(
                version: 1, name: "half_done",
                statements: ["CREATE TABLE half (id TEXT PRIMARY KEY)", "INSERT INTO no_such_table VALUES (1)"])
            let migrator = Migrator(database: database, migrations: [broken])
            await #expect(throws: StoreError.self) { try await migrator.migrate() }
            #expect(try await migrator.pendingVersions() == [1])
            // The first statement was rolled back with the second: creating the table again works.
            try await database.transaction { executor in try await executor.query("CREATE TABLE half (id TEXT PRIMARY KEY)") }
        }
    }
}

@Suite("Instance identity contract")
struct InstanceRepositoryContractTests {
    @Test("the identity is created once and then reused, also under concurrent first starts", arguments: TestBackend.available)
    func identityIsStable(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await Migrator(database: database).migrate()
            let clock = ManualWallClock(Date(unixMilliseconds: 1_790_000_000_000))
            let repository = SQLInstanceRepository(database: database, ids: UUIDv7Generator(clock: clock), clock: clock)
            let identities = try await withThrowingTaskGroup(of: InstanceInfo.self) { group in
                for _ in 0..<10 { group.addTask { try await repository.ensureInstance() } }
                return try await group.reduce(into: [InstanceInfo]()) { $0.append($1) }
            }
            #expect(Set(identities.map(\.instanceID)).count == 1)
            clock.advance(by: 3600)
            let later = try await repository.ensureInstance()
            #expect(later == identities[0])
            #expect(later.createdAt == Date(unixMilliseconds: 1_790_000_000_000))
        }
    }
}

/// Small migrations whose statements are the same on both backends.
enum TestMigrations {
    static func make(version: Int, name: String, sql: String) -> Migration {
        make(version: version, name: name, statements: [sql])
    }

    static func make(version: Int, name: String, statements: [String]) -> Migration {
        Migration(version: version, name: name, sqlite: statements, postgres: statements)
    }
}
