import ArbiterCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import ServiceLifecycle

/// The embedded database: one SQLite file in WAL mode with one writer connection and a few readers.
///
/// Every connection runs with foreign keys on and a busy timeout; the writer uses `synchronous=FULL`, so a
/// committed transaction survives a crash or power loss. Write transactions are serialized in-process and use
/// `BEGIN IMMEDIATE`, so two processes sharing a file wait for each other instead of failing.
public final class SQLiteStore: SQLDatabase, Service {
    public var dialect: SQLDialect { .sqlite }
    /// Path of the database file.
    public let path: String

    private let writer: ConnectionPool<SQLiteConnection>
    private let readers: ConnectionPool<SQLiteConnection>
    private let threads: [NIOThreadPool]
    private let logger: Logger

    /// How long a statement waits for another process's lock before failing.
    static let busyTimeoutMilliseconds = 5000

    private init(path: String, writer: SQLiteConnection, readers: [SQLiteConnection], threads: [NIOThreadPool], logger: Logger) {
        self.path = path
        self.writer = ConnectionPool(connections: [writer])
        self.readers = ConnectionPool(connections: readers)
        self.threads = threads
        self.logger = logger
    }

    /// Opens (creating if needed) the database file at `path` with `readerCount` read connections.
    public static func open(path: String, readerCount: Int = 4, logger: Logger) async throws(StoreError) -> SQLiteStore {
        // SQLite calls block their thread, for up to the busy timeout when another process holds the write lock.
        // Own threads (one for the writer, one per reader) keep that from stalling anything else in the process.
        let writerThread = NIOThreadPool(numberOfThreads: 1)
        let readerThreads = NIOThreadPool(numberOfThreads: max(1, readerCount))
        writerThread.start()
        readerThreads.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: writerThread, logger: logger, on: eventLoop)
            opened.append(writer)
            // WAL first: it is a property of the file, and readers opened afterwards use it too.
            let mode = try await SQLiteExecutor(connection: writer).query("PRAGMA journal_mode = WAL").first?
                .decode("journal_mode", as: String.self)
            if mode?.lowercased() != "wal" {
                logger.warning("SQLite refused WAL mode; readers will wait for writers", metadata: ["journal_mode": "\(mode ?? "?")"])
            }
            for pragma in ["PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)"] {
                try await SQLiteExecutor(connection: writer).query(SQLQuery(stringLiteral: pragma))
            }
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(
                    storage: .file(path: path), threadPool: readerThreads, logger: logger, on: eventLoop)
                opened.append(reader)
                for pragma in ["PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)", "PRAGMA query_only = ON"] {
                    try await SQLiteExecutor(connection: reader).query(SQLQuery(stringLiteral: pragma))
                }
                readers.append(reader)
            }
            return SQLiteStore(path: path, writer: writer, readers: readers, threads: [writerThread, readerThreads], logger: logger)
        } catch {
            for connection in opened { try? await connection.close().get() }
            try? await writerThread.shutdownGracefully()
            try? await readerThreads.shutdownGracefully()
            if let error = error as? StoreError { throw error }
            throw StoreError(.unavailable, "cannot open SQLite database at \(path): \(error)")
        }
    }

    /// The store whose writer the current task holds, to catch a transaction started inside another one,
    /// which would wait forever for the single writer connection.
    @TaskLocal private static var writerHeldBy: ObjectIdentifier?

    @discardableResult
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        guard Self.writerHeldBy != ObjectIdentifier(self) else {
            throw StoreError(.backend, "a transaction was started inside another transaction on the same SQLite database")
        }
        return try await writer.withConnection { connection in
            try await Self.$writerHeldBy.withValue(ObjectIdentifier(self)) {
                try await SQLiteExecutor(connection: connection).runTransaction(begin: "BEGIN IMMEDIATE", logger: logger, body)
            }
        }
    }

    @discardableResult
    public func autocommit<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        guard Self.writerHeldBy != ObjectIdentifier(self) else {
            throw StoreError(.backend, "autocommit statements were started inside a transaction on the same SQLite database")
        }
        return try await writer.withConnection { connection in
            try await Self.$writerHeldBy.withValue(ObjectIdentifier(self)) {
                try await body(SQLiteExecutor(connection: connection))
            }
        }
    }

    @discardableResult
    public func read<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await readers.withConnection { connection in
            try await body(SQLiteExecutor(connection: connection))
        }
    }

    /// Waits for graceful shutdown, then closes every connection once the last transaction has finished.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes every connection after in-flight work returns them; later calls fail with `unavailable`.
    public func close() async {
        let connections = await writer.close() + readers.close()
        for connection in connections {
            do {
                // The future-based close, because the async one gives up when the task is cancelled, as it is when
                // a service group shuts down; an unclosed connection would leak its file handle.
                try await connection.close().get()
            } catch {
                logger.warning("closing an SQLite connection failed", metadata: ["error": "\(error)"])
            }
        }
        for pool in threads {
            do {
                try await pool.shutdownGracefully()
            } catch {
                // Already shut down by an earlier close.
            }
        }
        logger.debug("SQLite database closed", metadata: ["path": "\(path)"])
    }
}

/// Runs statements on one SQLite connection.
struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func query(_ query: SQLQuery) async throws(StoreError) -> [SQLRow] {
        let (sql, binds) = query.render(for: .sqlite)
        do {
            // The future-based call runs even when the task is cancelled; the async one would skip the statement,
            // and a skipped COMMIT or ROLLBACK would leave the writer inside a transaction.
            let pending: EventLoopFuture<[SQLiteRow]> = connection.query(sql, binds.map(Self.sqliteData))
            let rows = try await pending.get()
            return rows.map { row in
                let columns = row.columns
                return SQLRow(columns: columns.map(\.name), values: columns.map { Self.value($0.data) })
            }
        } catch {
            throw Self.translate(error)
        }
    }

    static func sqliteData(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: .null
        case .integer(let value): .integer(SQLiteInt64(value))
        case .real(let value): .float(value)
        case .text(let value): .text(value)
        case .blob(let value): .blob(ByteBuffer(bytes: value))
        case .bool(let value): .integer(value ? 1 : 0)
        }
    }

    static func value(_ data: SQLiteData) -> SQLValue {
        switch data {
        case .null: .null
        case .integer(let value): .integer(Int64(value))
        case .float(let value): .real(value)
        case .text(let value): .text(value)
        case .blob(let buffer): .blob(Array(buffer.readableBytesView))
        }
    }

    /// Maps SQLite result codes onto store error codes; the message never includes bound values.
    static func translate(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? SQLiteError else {
            return StoreError(.backend, "SQLite: \(error)")
        }
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed, .constraintUniqueRowIDFailed:
            return StoreError(.duplicate, error.message)
        case .constraintForeignKeyFailed:
            return StoreError(.foreignKey, error.message)
        case .constraint, .constraintNotNullFailed, .constraintCheckFailed, .constraintTriggerFailed,
            .constraintStrictDataTypeFailed:
            return StoreError(.constraint, error.message)
        case .busy, .busyTimeout, .locked, .cantOpen, .ioError, .full, .readOnly:
            return StoreError(.unavailable, "SQLite \(error.reason): \(error.message)")
        default:
            return StoreError(.backend, "SQLite \(error.reason): \(error.message)")
        }
    }
}
