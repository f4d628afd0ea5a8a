import Logging

/// Runs statements on one connection: inside a transaction, or on a read connection.
///
/// An executor is only valid inside the closure it was passed to; never keep it.
public protocol SQLExecutor: Sendable {
    /// The backend's SQL spelling.
    var dialect: SQLDialect { get }

    /// Runs `query` and returns every row it produced.
    @discardableResult
    func query(_ query: SQLQuery) async throws(StoreError) -> [SQLRow]
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
    func runTransaction<T: Sendable>(
        begin: SQLQuery, logger: Logger, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        try await query(begin)
        do {
            let result = try await body(self)
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
