import ArbiterCore
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// PostgreSQL through postgres-nio's connection pool, for running several Arbiter replicas on one database.
///
/// The pool has a hard connection limit; callers beyond it wait for a free connection. The pool only lends
/// connections while ``run()`` is running, so the store must be part of the service group.
public final class PostgresStore: SQLDatabase, Service {
    public var dialect: SQLDialect { .postgres }
    /// Where the store connects to, with the password hidden.
    public let settings: PostgresSettings

    private let client: PostgresClient
    private let logger: Logger

    /// Creates the store; it connects lazily once ``run()`` is running.
    public init(settings: PostgresSettings, poolSize: Int, logger: Logger) throws(StoreError) {
        self.settings = settings
        self.logger = logger
        var configuration: PostgresClient.Configuration
        switch settings.endpoint {
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS =
                switch try Self.tlsConfiguration(for: settings) {
                case nil: .disable
                case .some((let configuration, let enforced)): enforced ? .require(configuration) : .prefer(configuration)
                }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: settings.username, password: settings.password,
                database: settings.database, tls: tls)
        case .unixSocket(let path):
            configuration = PostgresClient.Configuration(
                unixSocketPath: path, username: settings.username, password: settings.password,
                database: settings.database)
        }
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("application_name", settings.applicationName)]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// The TLS settings for `settings.tlsMode`, and whether TLS is required; `nil` when TLS is off.
    private static func tlsConfiguration(for settings: PostgresSettings) throws(StoreError) -> (TLSConfiguration, Bool)? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath = settings.rootCertificatePath {
            guard FileManager.default.isReadableFile(atPath: rootCertificatePath) else {
                throw StoreError(.rejected, "sslrootcert file \(rootCertificatePath) cannot be read")
            }
            tls.trustRoots = .file(rootCertificatePath)
        }
        switch settings.tlsMode {
        case .disable:
            return nil
        case .prefer:
            tls.certificateVerification = .none
            return (tls, false)
        case .require:
            tls.certificateVerification = .none
            return (tls, true)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return (tls, true)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return (tls, true)
        }
    }

    /// Opens one connection outside the pool and closes it again, to learn exactly why connecting fails.
    ///
    /// The pool retries failed connections quietly; this tells a wrong password (``StoreError/Code/rejected``)
    /// from a server that is not up yet (``StoreError/Code/unavailable``).
    public func checkConnection() async throws(StoreError) {
        var configuration: PostgresConnection.Configuration
        switch settings.endpoint {
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            do {
                tls =
                    switch try Self.tlsConfiguration(for: settings) {
                    case nil: .disable
                    case .some((let configuration, let enforced)):
                        enforced
                            ? .require(try NIOSSLContext(configuration: configuration))
                            : .prefer(try NIOSSLContext(configuration: configuration))
                    }
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.rejected, "the TLS settings cannot be used: \(error)")
            }
            configuration = PostgresConnection.Configuration(
                host: host, port: port, username: settings.username, password: settings.password,
                database: settings.database, tls: tls)
        case .unixSocket(let path):
            configuration = PostgresConnection.Configuration(
                unixSocketPath: path, username: settings.username, password: settings.password, database: settings.database)
        }
        configuration.options.connectTimeout = .seconds(5)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw PostgresExecutor.translate(error)
        }
    }

    /// Runs the connection pool until graceful shutdown, then closes its connections.
    public func run() async throws {
        await client.run()
    }

    @discardableResult
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withLeasedConnection { connection in
            try await PostgresExecutor(connection: connection, logger: logger).runTransaction(begin: "BEGIN", logger: logger, body)
        }
    }

    @discardableResult
    public func autocommit<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withLeasedConnection { connection in
            try await body(PostgresExecutor(connection: connection, logger: logger))
        }
    }

    @discardableResult
    public func read<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withLeasedConnection { connection in
            try await body(PostgresExecutor(connection: connection, logger: logger))
        }
    }

    /// Leases a connection for `body`. Failing to get one (the pool is closed, its circuit breaker is open, the
    /// wait was cancelled) is ``StoreError/Code/unavailable``; errors from `body` itself pass through unchanged.
    private func withLeasedConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let leased = Mutex(false)
        do {
            return try await client.withConnection { connection in
                leased.withLock { $0 = true }
                return try await body(connection)
            }
        } catch let error as PSQLError {
            throw PostgresExecutor.translate(error)
        } catch where !leased.withLock({ $0 }) && !(error is StoreError) {
            throw StoreError(.unavailable, "no PostgreSQL connection: \(error)")
        }
    }
}

/// Runs statements on one leased PostgreSQL connection.
struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    @discardableResult
    func query<Statement: PreparedSQL>(prepared statement: Statement.Type, binds: [SQLValue]) async throws(StoreError) -> [SQLRow] {
        do {
            let rows = try await connection.execute(Prepared<Statement>(bindings: Self.bindings(binds)), logger: logger)
            var result: [SQLRow] = []
            for try await row in rows { result.append(try Self.row(row)) }
            return result
        } catch {
            throw Self.translate(error)
        }
    }

    /// postgres-nio's form of a ``PreparedSQL``: prepared on first use on each connection, by name.
    struct Prepared<Statement: PreparedSQL>: PostgresPreparedStatement {
        static var name: String { Statement.name }
        static var sql: String { Statement.sql }
        let bindings: PostgresBindings
        func makeBindings() throws -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    static func bindings(_ binds: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .blob(let value): bindings.append(ByteBuffer(bytes: value))
            case .bool(let value): bindings.append(value)
            }
        }
        return bindings
    }

    static func row(_ row: PostgresRow) throws -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(try value(cell))
        }
        return SQLRow(columns: columns, values: values)
    }

    @discardableResult
    func query(_ query: SQLQuery) async throws(StoreError) -> [SQLRow] {
        let (sql, binds) = query.render(for: .postgres)
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: Self.bindings(binds)), logger: logger)
            var result: [SQLRow] = []
            for try await row in rows { result.append(try Self.row(row)) }
            return result
        } catch {
            throw Self.translate(error)
        }
    }

    /// Reads a cell into a portable value; Arbiter's schema only uses these column types.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .bool: return .bool(try cell.decode(Bool.self))
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }

    /// Maps SQLSTATE classes onto store error codes; messages never include bound values.
    static func translate(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? PSQLError else {
            if error is PostgresDecodingError {
                return StoreError(.decoding, "PostgreSQL returned a value of an unexpected type")
            }
            return StoreError(.backend, "PostgreSQL: \(String(reflecting: type(of: error)))")
        }
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else {
            let reason = error.underlying.map { ": \($0)" } ?? ""
            // Settings the server will never accept: retrying cannot help.
            let misconfigured: [PSQLError.Code] = [
                .sslUnsupported, .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError, .failedToAddSSLHandler,
            ]
            if misconfigured.contains(error.code) || error.underlying is NIOSSLError {
                return StoreError(.rejected, "PostgreSQL connection refused by its settings (\(error.code))\(reason)")
            }
            return StoreError(.unavailable, "PostgreSQL connection failed (\(error.code))\(reason)")
        }
        let message = error.serverInfo?[.message] ?? "server error"
        switch state {
        // 28xxx: authentication; 3D000: no such database; 42501: insufficient privilege.
        case let code where code.hasPrefix("28") || code == "3D000" || code == "42501":
            return StoreError(.rejected, "PostgreSQL \(state): \(message)")
        case "23505": return StoreError(.duplicate, message)
        case "23503": return StoreError(.foreignKey, message)
        case "23502", "23514", "23P01": return StoreError(.constraint, message)
        // 08xxx: connection exceptions; 57P01-57P03: the server is shutting down or starting; 57014: statement
        // timeout or cancel; 53300: too many connections; 40001/40P01: serialization failure or deadlock, both
        // safe to retry.
        case let code where code.hasPrefix("08") || code.hasPrefix("57") || code == "53300" || code == "40001" || code == "40P01":
            return StoreError(.unavailable, "PostgreSQL \(state): \(message)")
        default:
            return StoreError(.backend, "PostgreSQL \(state): \(message)")
        }
    }
}

extension PostgresStore {
    /// Tries to connect until it works, giving up at once when the server rejects the settings and after `timeout`
    /// otherwise, with the last reason connecting failed.
    public func waitUntilReachable(timeout: Duration, retryEvery interval: Duration = .seconds(1)) async throws(StoreError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                try await checkConnection()
                return
            } catch where error.code == .rejected {
                throw error
            } catch {
                guard ContinuousClock.now + interval < deadline else {
                    throw StoreError(.unavailable, "PostgreSQL at \(settings) is not reachable after \(timeout): \(error.message)")
                }
                logger.warning("PostgreSQL is not reachable yet; retrying", metadata: ["error": "\(error.message)"])
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    throw StoreError(.unavailable, "stopped waiting for PostgreSQL at \(settings): cancelled")
                }
            }
        }
    }
}
