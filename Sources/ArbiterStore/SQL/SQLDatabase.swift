import Logging
import Synchronization

/// Runs statements on one connection: inside a transaction, or on a read connection.
///
/// An executor is only valid inside the closure it was passed to; never keep it.
public protocol SQLExecutor: Sendable {
    /// The backend's SQL spelling.
    var dialect: SQLDialect { get }

    /// Runs `query` and returns every row it produced.
    @discardableResult
    func query(_ query: SQLQuery) async throws(StoreError) -> [SQLRow]

    /// Runs a statement the server keeps prepared on each connection (parsed and planned once), with `binds` for
    /// its `$1…$n`. For the hottest single statements on PostgreSQL; other backends refuse it.
    @discardableResult
    func query<Statement: PreparedSQL>(prepared statement: Statement.Type, binds: [SQLValue]) async throws(StoreError) -> [SQLRow]
}

/// A fixed PostgreSQL statement, prepared once per connection under ``name``.
public protocol PreparedSQL: Sendable {
    /// Unique among prepared statements.
    static var name: String { get }
    /// PostgreSQL text with `$1…$n` placeholders.
    static var sql: String { get }
}

extension SQLExecutor {
    @discardableResult
    public func query<Statement: PreparedSQL>(prepared statement: Statement.Type, binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
        throw StoreError(.rejected, "prepared statements are only used on PostgreSQL (\(Statement.name))")
    }
}

extension SQLExecutor {
    /// Runs `query` and returns the first row, if any.
    public func first(_ query: SQLQuery) async throws(StoreError) -> SQLRow? {
        try await self.query(query).first
    }
}

/// A database Arbiter stores its data in: the embedded SQLite file or a PostgreSQL server.
///
/// Writes happen in ``transaction(_:)``, which commits when the closure returns and rolls back when it throws.
/// Reads that need no transaction use ``read(_:)``, which on SQLite runs beside writers on a WAL snapshot.
public protocol SQLDatabase: Sendable {
    /// The backend's SQL spelling.
    var dialect: SQLDialect { get }

    /// Runs `body` in one read-write transaction.
    ///
    /// On SQLite transactions are serialized (`BEGIN IMMEDIATE`); on PostgreSQL they run at READ COMMITTED.
    @discardableResult
    func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T

    /// Runs `body` on a connection meant for reading; each statement sees the latest committed data.
    @discardableResult
    func read<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T

    /// Runs `body` on a connection that may write, without a transaction around it: each statement commits on
    /// its own. For single statements on hot paths, where `BEGIN` and `COMMIT` would triple the round trips.
    @discardableResult
    func autocommit<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T

    /// Checks that the database answers a trivial query.
    func ping() async throws(StoreError)
}

extension SQLDatabase {
    public func ping() async throws(StoreError) {
        do {
            try await read { executor in try await executor.query("SELECT 1 AS ok") }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "\(error)")
        }
    }
}

extension SQLExecutor {
    /// Runs `body` between `begin` and `COMMIT` on this connection, rolling back when `body` (or the commit) throws.
    ///
    /// A statement that fails inside the transaction dooms it on both backends, even when `body` catches the
    /// error and goes on: PostgreSQL would refuse every later statement and turn `COMMIT` into a silent
    /// rollback, so the first failure is rethrown instead of committing and nothing is written.
    func runTransaction<T: Sendable>(
        begin: SQLQuery, logger: Logger, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await query(begin)
        let tracked = FailureTrackingExecutor(base: self)
        do {
            let result = try await body(tracked)
            if let failure = tracked.firstFailure { throw failure }
            try await query("COMMIT")
            return result
        } catch {
            do {
                try await query("ROLLBACK")
            } catch let rollbackError {
                // Both databases have already rolled back when COMMIT itself failed or the connection is gone.
                logger.debug("rollback after a failed transaction", metadata: ["error": "\(rollbackError)"])
            }
            throw error
        }
    }
}

/// Passes statements through and remembers the first one that failed.
private final class FailureTrackingExecutor<Base: SQLExecutor>: SQLExecutor {
    let base: Base
    private let failure = Mutex<StoreError?>(nil)

    init(base: Base) {
        self.base = base
    }

    var dialect: SQLDialect { base.dialect }
    var firstFailure: StoreError? { failure.withLock { $0 } }

    @discardableResult
    func query(_ query: SQLQuery) async throws(StoreError) -> [SQLRow] {
        do {
            return try await base.query(query)
        } catch {
            failure.withLock { if $0 == nil { $0 = error } }
            throw error
        }
    }

    @discardableResult
    func query<Statement: PreparedSQL>(prepared statement: Statement.Type, binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
        do {
            return try await base.query(prepared: statement, binds: binds)
        } catch {
            failure.withLock { if $0 == nil { $0 = error } }
            throw error
        }
    }
}
