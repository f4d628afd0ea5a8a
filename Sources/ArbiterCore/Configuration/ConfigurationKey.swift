/// One configuration setting: its dotted name, its command-line flag, its environment variable and its default.
///
/// Every key is declared here once; `--help`, the README table and the resolver all read this list.
public struct ConfigurationKey: Hashable, Sendable, CustomStringConvertible {
    /// Dotted name, e.g. `http.port`.
    public let name: String
    /// Command-line flag without dashes, e.g. `port`.
    public let flag: String
    /// Environment variable, e.g. `ARBITER_PORT`.
    public let environment: String
    /// The default, as a user would write it; `nil` when there is none.
    public let defaultValue: String?
    /// One sentence for `--help`.
    public let summary: String

    public var description: String { name }

    /// The help text shown by `--help`: the summary, the environment variable and the default.
    public var help: String {
        var text = "\(summary) (env: \(environment)"
        if let defaultValue { text += "; default: \(defaultValue)" }
        return text + ")"
    }
}

extension ConfigurationKey {
    public static let host = ConfigurationKey(
        name: "http.host", flag: "host", environment: "ARBITER_HOST", defaultValue: "127.0.0.1",
        summary: "Address to listen on; 0.0.0.0 listens on every interface.")
    public static let port = ConfigurationKey(
        name: "http.port", flag: "port", environment: "ARBITER_PORT", defaultValue: "8080",
        summary: "TCP port to listen on; 0 picks a free port.")
    public static let shutdownTimeout = ConfigurationKey(
        name: "http.shutdown-timeout", flag: "shutdown-timeout", environment: "ARBITER_SHUTDOWN_TIMEOUT", defaultValue: "30",
        summary: "Seconds to let in-flight requests finish after SIGTERM or SIGINT.")
    public static let dataDirectory = ConfigurationKey(
        name: "data.dir", flag: "data-dir", environment: "ARBITER_DATA_DIR", defaultValue: "./.arbiter",
        summary: "Folder for the embedded SQLite database and generated files; created if missing.")
    public static let databaseURL = ConfigurationKey(
        name: "db.url", flag: "database-url", environment: "ARBITER_DATABASE_URL", defaultValue: nil,
        summary: "postgres://user:password@host:5432/database?sslmode=prefer selects PostgreSQL; unset uses SQLite in the data folder.")
    public static let poolSize = ConfigurationKey(
        name: "db.pool-size", flag: "db-pool-size", environment: "ARBITER_DB_POOL_SIZE", defaultValue: "10",
        summary: "Hard limit of PostgreSQL connections per process (SQLite: reader connections).")
    public static let autoMigrate = ConfigurationKey(
        name: "db.auto-migrate", flag: "auto-migrate", environment: "ARBITER_AUTO_MIGRATE", defaultValue: "true",
        summary: "Apply pending migrations when the server starts (true or false).")
    public static let logLevel = ConfigurationKey(
        name: "log.level", flag: "log-level", environment: "ARBITER_LOG_LEVEL", defaultValue: "info",
        summary: "Least severe log level written: trace, debug, info, notice, warning, error or critical.")
    public static let logFormat = ConfigurationKey(
        name: "log.format", flag: "log-format", environment: "ARBITER_LOG_FORMAT", defaultValue: "json",
        summary: "Log line format: json or text (serve logs to standard output, other commands to standard error).")

    /// Every key `arbiter serve` reads, in the order `--help` lists them.
    public static let all: [ConfigurationKey] = [
        .host, .port, .shutdownTimeout, .dataDirectory, .databaseURL, .poolSize, .autoMigrate, .logLevel, .logFormat,
    ]
}
