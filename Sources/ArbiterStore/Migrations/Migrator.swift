import ArbiterCore
import Foundation

/// What `arbiter migrate status` reports for one migration.
public struct MigrationState: Equatable, Sendable {
    public enum Status: Equatable, Sendable {
        /// Applied at this time with the checksum this binary expects.
        case applied(at: Date)
        /// Known to this binary, not yet applied.
        case pending
        /// Applied, but this binary's statements differ from what was applied.
        case changed(recordedChecksum: String, currentChecksum: String)
        /// Applied by a newer binary that this one does not know.
        case unknown
    }

    public let version: Int
    public let name: String
    public let status: Status
}

/// Applies migrations and checks that the database matches this binary's schema.
///
/// Safe to run from several processes at once: on PostgreSQL each step holds a transaction-scoped advisory
/// lock, on SQLite each step is an immediate (write-locked) transaction, and every step re-reads what is
/// applied after taking the lock.
public struct Migrator: Sendable {
    let database: any SQLDatabase
    let migrations: [Migration]
    let clock: any WallClock

    /// An arbitrary constant naming Arbiter's migration lock among PostgreSQL advisory locks.
    static let advisoryLockKey: Int64 = 0x4152_4249_5445_52  // "ARBITER"

    public init(database: any SQLDatabase, migrations: [Migration] = Migration.all, clock: any WallClock = SystemWallClock()) {
        precondition(
            zip(migrations, migrations.dropFirst()).allSatisfy { $0.version < $1.version },
            "migrations must be listed in strictly ascending version order")
        self.database = database
        self.migrations = migrations
        self.clock = clock
    }

    /// Every migration known here or recorded in the database, with its state.
    public func status() async throws -> [MigrationState] {
        let migrations = self.migrations
        return try await database.read { executor in
            Self.states(records: try await Self.appliedRecords(executor), migrations: migrations, dialect: executor.dialect)
        }
    }

    /// Throws a ``StoreError/Code/migration`` error when an applied migration differs or is unknown, and returns
    /// the versions still pending.
    public func pendingVersions() async throws -> [Int] {
        let states = try await status()
        try Self.validate(states)
        return states.filter { $0.status == .pending }.map(\.version)
    }

    /// Applies every pending migration, each in its own transaction, and returns the ones this call applied.
    @discardableResult
    public func migrate() async throws -> [MigrationState] {
        var applied: [MigrationState] = []
        var busyRetries = 0
        while true {
            do {
                guard let state = try await applyNext() else { return applied }
                applied.append(state)
                busyRetries = 0
            } catch let error as StoreError where error.code == .unavailable && database.dialect == .sqlite && busyRetries < 10 {
                // Another process is migrating the same SQLite file and SQLite's busy wait ran out: wait, then go on
                // from whatever that process has applied.
                busyRetries += 1
                try await Task.sleep(for: .milliseconds(100 * busyRetries))
            }
        }
    }

    /// Applies the lowest pending migration; `nil` when nothing is pending.
    private func applyNext() async throws -> MigrationState? {
        let migrations = self.migrations
        let now = clock.now()
        return try await database.transaction { executor -> MigrationState? in
            let dialect = executor.dialect
            if dialect == .postgres {
                try await executor.query("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))")
            }
            try await executor.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    checksum TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """)
            let records = try await Self.appliedRecords(executor)
            try Self.validate(Self.states(records: records, migrations: migrations, dialect: dialect))
            guard let next = migrations.first(where: { records[$0.version] == nil }) else { return nil }
            for statement in next.statements(for: dialect) {
                try await executor.query(SQLQuery(stringLiteral: statement))
            }
            try await executor.query(
                """
                INSERT INTO schema_migrations (version, name, checksum, applied_at)
                VALUES (\(next.version), \(next.name), \(next.checksum(for: dialect)), \(now))
                """)
            return MigrationState(version: next.version, name: next.name, status: .applied(at: now))
        }
    }

    private struct Record {
        let name: String
        let checksum: String
        let appliedAt: Date
    }

    private static func states(records: [Int: Record], migrations: [Migration], dialect: SQLDialect) -> [MigrationState] {
        var states = migrations.map { migration -> MigrationState in
            guard let record = records[migration.version] else {
                return MigrationState(version: migration.version, name: migration.name, status: .pending)
            }
            let current = migration.checksum(for: dialect)
            guard record.checksum == current else {
                return MigrationState(
                    version: migration.version, name: migration.name,
                    status: .changed(recordedChecksum: record.checksum, currentChecksum: current))
            }
            return MigrationState(version: migration.version, name: migration.name, status: .applied(at: record.appliedAt))
        }
        let known = Set(migrations.map(\.version))
        for (version, record) in records.sorted(by: { $0.key < $1.key }) where !known.contains(version) {
            states.append(MigrationState(version: version, name: record.name, status: .unknown))
        }
        return states
    }

    /// Refuses to go on when the database holds something this binary did not write.
    private static func validate(_ states: [MigrationState]) throws(StoreError) {
        for state in states {
            switch state.status {
            case .changed(let recorded, let current):
                throw StoreError.migration(
                    "migration \(state.version) (\(state.name)) was changed after it was applied to this database: "
                        + "recorded checksum \(recorded.prefix(12)), this binary has \(current.prefix(12)). "
                        + "Restore the migration as it was released and put the change in a new migration.")
            case .unknown:
                throw StoreError.migration(
                    "the database has migration \(state.version) (\(state.name)), which this binary does not know: "
                        + "it was migrated by a newer Arbiter. Run that version, or restore a backup taken before it.")
            case .applied, .pending:
                continue
            }
        }
    }

    /// The `schema_migrations` rows by version; empty when the table does not exist yet.
    private static func appliedRecords(_ executor: any SQLExecutor) async throws -> [Int: Record] {
        let exists: Bool
        switch executor.dialect {
        case .sqlite:
            exists = try await executor.first(
                "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") != nil
        case .postgres:
            exists = try await executor.first("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")?
                .decode("present", as: Bool.self) ?? false
        }
        guard exists else { return [:] }
        var records: [Int: Record] = [:]
        for row in try await executor.query("SELECT version, name, checksum, applied_at FROM schema_migrations") {
            records[try row.decode("version")] = Record(
                name: try row.decode("name"), checksum: try row.decode("checksum"), appliedAt: try row.decode("applied_at"))
        }
        return records
    }
}
