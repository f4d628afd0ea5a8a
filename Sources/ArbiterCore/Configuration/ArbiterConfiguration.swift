import Foundation

/// The settings `arbiter` runs with, read once at start from flags, then environment, then defaults.
public struct ArbiterConfiguration: Equatable, Sendable {
    /// Which database backs the store.
    public enum Database: Equatable, Sendable {
        /// The embedded database, a file inside the data folder.
        case sqlite(path: String)
        case postgres(PostgresSettings)

        /// `sqlite` or `postgres`.
        public var backendName: String {
            switch self {
            case .sqlite: "sqlite"
            case .postgres: "postgres"
            }
        }
    }

    /// Severity threshold for logs, named as swift-log names its levels.
    public enum LogLevel: String, CaseIterable, Sendable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// How log lines are written.
    public enum LogFormat: String, CaseIterable, Sendable {
        /// One JSON object per line, for log collectors.
        case json
        /// `time level message key=value`, for people reading a terminal.
        case text
    }

    /// File name of the embedded database inside the data folder.
    public static let sqliteFileName = "arbiter.sqlite"

    public var host: String
    public var port: Int
    public var shutdownTimeout: Duration
    public var dataDirectory: String
    public var database: Database
    public var poolSize: Int
    public var autoMigrate: Bool
    public var logLevel: LogLevel
    public var logFormat: LogFormat
    /// Secrets, token lifetimes, limits and the rest of the security settings.
    public var security: SecuritySettings

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        shutdownTimeout: Duration = .seconds(30),
        dataDirectory: String = "./.arbiter",
        database: Database? = nil,
        poolSize: Int = 10,
        autoMigrate: Bool = true,
        logLevel: LogLevel = .info,
        logFormat: LogFormat = .json,
        security: SecuritySettings = SecuritySettings()
    ) {
        self.host = host
        self.port = port
        self.shutdownTimeout = shutdownTimeout
        self.dataDirectory = dataDirectory
        self.database = database ?? .sqlite(path: Self.sqlitePath(in: dataDirectory))
        self.poolSize = poolSize
        self.autoMigrate = autoMigrate
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.security = security
    }

    static func sqlitePath(in directory: String) -> String {
        directory.hasSuffix("/") ? directory + sqliteFileName : directory + "/" + sqliteFileName
    }

    /// Reads every key from `flags` (keyed by ``ConfigurationKey``), then `environment`, then the defaults.
    ///
    /// - Throws: ``ConfigurationError`` listing every invalid value, not just the first.
    public static func resolve(
        flags: [ConfigurationKey: String],
        environment: [String: String]
    ) throws(ConfigurationError) -> ArbiterConfiguration {
        var reader = Reader(flags: flags, environment: environment)
        let host = reader.value(.host) { raw -> Result<String, ProblemText> in
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.contains(where: \.isWhitespace) else {
                return .failure("must be a host name or IP address, such as 127.0.0.1 or 0.0.0.0")
            }
            return .success(trimmed)
        }
        let port = reader.value(.port) { raw -> Result<Int, ProblemText> in
            guard let port = Int(raw), (0...65535).contains(port) else {
                return .failure("must be a whole number from 0 to 65535 (0 picks a free port)")
            }
            return .success(port)
        }
        let shutdownTimeout = reader.value(.shutdownTimeout) { raw -> Result<Duration, ProblemText> in
            guard let seconds = Int(raw), (0...3600).contains(seconds) else {
                return .failure("must be a whole number of seconds from 0 to 3600")
            }
            return .success(Duration.seconds(seconds))
        }
        let dataDirectory = reader.value(.dataDirectory) { raw -> Result<String, ProblemText> in
            raw.isEmpty ? .failure("must be a folder path") : .success(raw)
        }
        let database = reader.optionalValue(.databaseURL) { raw -> Result<Database, ProblemText> in
            switch PostgresSettings.parse(raw) {
            case .success(let settings): .success(.postgres(settings))
            case .failure(let error): .failure(ProblemText(error.description))
            }
        }
        let poolSize = reader.value(.poolSize) { raw -> Result<Int, ProblemText> in
            guard let size = Int(raw), (1...500).contains(size) else {
                return .failure("must be a whole number from 1 to 500")
            }
            return .success(size)
        }
        let autoMigrate = reader.value(.autoMigrate) { raw -> Result<Bool, ProblemText> in
            switch raw.lowercased() {
            case "true", "1", "yes", "on": .success(true)
            case "false", "0", "no", "off": .success(false)
            default: .failure("must be true or false")
            }
        }
        let logLevel = reader.value(.logLevel) { raw -> Result<LogLevel, ProblemText> in
            LogLevel(rawValue: raw.lowercased()).map { .success($0) }
                ?? .failure("must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let logFormat = reader.value(.logFormat) { raw -> Result<LogFormat, ProblemText> in
            LogFormat(rawValue: raw.lowercased()).map { .success($0) } ?? .failure("must be json or text")
        }

        let security = SecuritySettings.read(&reader)

        guard reader.problems.isEmpty, let security, let host, let port, let shutdownTimeout, let dataDirectory, let poolSize,
            let autoMigrate, let logLevel, let logFormat
        else {
            throw ConfigurationError(problems: reader.problems)
        }
        return ArbiterConfiguration(
            host: host, port: port, shutdownTimeout: shutdownTimeout, dataDirectory: dataDirectory,
            database: database ?? .sqlite(path: sqlitePath(in: dataDirectory)), poolSize: poolSize,
            autoMigrate: autoMigrate, logLevel: logLevel, logFormat: logFormat, security: security)
    }
}

/// The explanation attached to a rejected value.
struct ProblemText: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    let text: String
    init(_ text: String) { self.text = text }
    init(stringLiteral value: String) { self.text = value }
}

/// Looks each key up in flags, then the environment, then its default, and collects problems.
struct Reader {
    let flags: [ConfigurationKey: String]
    let environment: [String: String]
    var problems: [ConfigurationProblem] = []

    init(flags: [ConfigurationKey: String], environment: [String: String]) {
        self.flags = flags
        self.environment = environment
    }

    func lookup(_ key: ConfigurationKey) -> (raw: String, source: String)? {
        if let flag = flags[key] { return (flag, "--\(key.flag ?? key.name)") }
        if let env = environment[key.environment], !env.isEmpty { return (env, key.environment) }
        if let fallback = key.defaultValue { return (fallback, "default") }
        return nil
    }

    mutating func optionalValue<T>(_ key: ConfigurationKey, _ parse: (String) -> Result<T, ProblemText>) -> T? {
        guard let (raw, source) = lookup(key) else { return nil }
        switch parse(raw) {
        case .success(let value):
            return value
        case .failure(let problem):
            // A database URL can hold a password, and secrets are secret: never repeat them back.
            let shown = [ConfigurationKey.databaseURL, .jwtSecret, .masterKey, .bootstrapAdminPassword].contains(key) ? nil : raw
            problems.append(ConfigurationProblem(key: key, source: source, value: shown, message: problem.text))
            return nil
        }
    }

    mutating func report(_ key: ConfigurationKey, source: String, _ message: String) {
        problems.append(ConfigurationProblem(key: key, source: source, value: nil, message: message))
    }

    mutating func value<T>(_ key: ConfigurationKey, _ parse: (String) -> Result<T, ProblemText>) -> T? {
        optionalValue(key, parse)
    }
}
