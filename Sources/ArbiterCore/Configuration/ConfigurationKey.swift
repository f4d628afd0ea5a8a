/// One configuration setting: its dotted name, its command-line flag, its environment variable and its default.
///
/// Every key is declared here once; `--help`, the README table and the resolver all read this list.
public struct ConfigurationKey: Hashable, Sendable, CustomStringConvertible {
    /// Dotted name, e.g. `http.port`.
    public let name: String
    /// Command-line flag without dashes, e.g. `port`; `nil` for secrets, which are never passed as flags
    /// (other users can read a process's arguments).
    public let flag: String?
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

    public static let environmentMode = ConfigurationKey(
        name: "app.env", flag: "env", environment: "ARBITER_ENV", defaultValue: "development",
        summary: "development or production; production refuses to start without strong secrets.")
    public static let jwtSecret = ConfigurationKey(
        name: "auth.jwt-secret", flag: nil, environment: "ARBITER_JWT_SECRET", defaultValue: nil,
        summary: "Key that signs access tokens (HS256), 32+ random bytes; generated into the data folder in development.")
    public static let jwtSecretFile = ConfigurationKey(
        name: "auth.jwt-secret-file", flag: "jwt-secret-file", environment: "ARBITER_JWT_SECRET_FILE", defaultValue: nil,
        summary: "File holding the token signing key, instead of ARBITER_JWT_SECRET.")
    public static let masterKey = ConfigurationKey(
        name: "secrets.master-key", flag: nil, environment: "ARBITER_MASTER_KEY", defaultValue: nil,
        summary: "Key that encrypts stored secrets: base64:<32+ bytes>, 64+ hex digits, or a long passphrase.")
    public static let masterKeyFile = ConfigurationKey(
        name: "secrets.master-key-file", flag: "master-key-file", environment: "ARBITER_MASTER_KEY_FILE", defaultValue: nil,
        summary: "File holding the master key, instead of ARBITER_MASTER_KEY.")
    public static let accessTokenTTL = ConfigurationKey(
        name: "auth.access-token-ttl", flag: "access-token-ttl", environment: "ARBITER_ACCESS_TOKEN_TTL", defaultValue: "900",
        summary: "Seconds an access token is valid, 60 to 3600.")
    public static let refreshTokenTTL = ConfigurationKey(
        name: "auth.refresh-token-ttl", flag: "refresh-token-ttl", environment: "ARBITER_REFRESH_TOKEN_TTL",
        defaultValue: "2592000", summary: "Seconds a refresh token is valid, 3600 to 7776000 (90 days).")
    public static let loginLockout = ConfigurationKey(
        name: "auth.login-lockout", flag: "login-lockout", environment: "ARBITER_LOGIN_LOCKOUT", defaultValue: "5/15m",
        summary: "Failed logins allowed per account and per client address in a sliding window, as N/window.")
    public static let allowedOrigins = ConfigurationKey(
        name: "http.allowed-origins", flag: "allowed-origins", environment: "ARBITER_ALLOWED_ORIGINS", defaultValue: nil,
        summary: "Comma-separated origins (https://app.example.com) allowed for CORS and cookie sessions besides Arbiter's own.")
    public static let trustForwardedHeaders = ConfigurationKey(
        name: "http.trust-forwarded-headers", flag: "trust-forwarded-headers", environment: "ARBITER_TRUST_FORWARDED_HEADERS",
        defaultValue: "false",
        summary: "Believe X-Forwarded-For and X-Forwarded-Proto (true only behind a proxy that sets them).")
    public static let maxBodySize = ConfigurationKey(
        name: "http.max-body-size", flag: "max-body-size", environment: "ARBITER_MAX_BODY_SIZE", defaultValue: "1048576",
        summary: "Largest request body in bytes; larger ones get 413.")
    public static let rateLimitAuth = ConfigurationKey(
        name: "ratelimit.auth", flag: "rate-limit-auth", environment: "ARBITER_RATE_LIMIT_AUTH", defaultValue: "20/60s",
        summary: "Requests to login and refresh per client address, as N/window.")
    public static let rateLimitRead = ConfigurationKey(
        name: "ratelimit.read", flag: "rate-limit-read", environment: "ARBITER_RATE_LIMIT_READ", defaultValue: "600/60s",
        summary: "GET requests per caller and per client address, as N/window.")
    public static let rateLimitWrite = ConfigurationKey(
        name: "ratelimit.write", flag: "rate-limit-write", environment: "ARBITER_RATE_LIMIT_WRITE", defaultValue: "120/60s",
        summary: "POST, PUT, PATCH and DELETE requests per caller and per client address, as N/window.")
    public static let rateLimitReview = ConfigurationKey(
        name: "ratelimit.review", flag: "rate-limit-review", environment: "ARBITER_RATE_LIMIT_REVIEW", defaultValue: "30/60s",
        summary: "Review requests per caller and per client address, as N/window.")
    public static let auditRetention = ConfigurationKey(
        name: "audit.retention", flag: "audit-retention", environment: "ARBITER_AUDIT_RETENTION",
        defaultValue: "auth=180d,admin=0,system=0",
        summary: "Days to keep audit entries per class (auth, admin, system); 0 keeps them forever.")
    public static let bootstrapAdminEmail = ConfigurationKey(
        name: "bootstrap.admin-email", flag: nil, environment: "ARBITER_BOOTSTRAP_ADMIN_EMAIL", defaultValue: nil,
        summary: "On a start with no users yet, create this admin (with ARBITER_BOOTSTRAP_ADMIN_PASSWORD).")
    public static let bootstrapAdminPassword = ConfigurationKey(
        name: "bootstrap.admin-password", flag: nil, environment: "ARBITER_BOOTSTRAP_ADMIN_PASSWORD", defaultValue: nil,
        summary: "Password of the bootstrap admin; used only when no users exist.")

    /// Every key `arbiter serve` reads, in the order `--help` lists them.
    public static let all: [ConfigurationKey] = [
        .host, .port, .shutdownTimeout, .dataDirectory, .databaseURL, .poolSize, .autoMigrate, .logLevel, .logFormat,
        .environmentMode, .jwtSecret, .jwtSecretFile, .masterKey, .masterKeyFile, .accessTokenTTL, .refreshTokenTTL,
        .loginLockout, .allowedOrigins, .trustForwardedHeaders, .maxBodySize, .rateLimitAuth, .rateLimitRead,
        .rateLimitWrite, .rateLimitReview, .auditRetention, .bootstrapAdminEmail, .bootstrapAdminPassword,
    ]
}
