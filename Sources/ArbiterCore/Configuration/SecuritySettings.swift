import Foundation

/// Whether Arbiter runs for development (secrets generated for you) or production (secrets required).
public enum DeploymentMode: String, CaseIterable, Sendable {
    case development, production
}

/// Where a secret comes from.
public enum SecretSource: Equatable, Sendable {
    /// Not configured: generated into the data folder in development, refused in production.
    case unset
    /// The value itself, from an environment variable.
    case value(String)
    /// A file to read it from.
    case file(String)
}

/// The classes of audit events; each has its own hash chain and retention.
public enum AuditClass: String, CaseIterable, Codable, Sendable {
    /// Logins, refreshes, logouts, lockouts.
    case auth
    /// Changes to users, roles, API keys and secrets.
    case admin
    /// Arbiter's own actions: bootstrap, key rotation, pruning.
    case system
}

/// Security settings: secrets, token lifetimes, limits, origins and audit retention.
public struct SecuritySettings: Equatable, Sendable {
    /// The request budgets per route class.
    public struct RateLimits: Equatable, Sendable {
        public var auth = RateLimitPolicy(limit: 20, window: .seconds(60))
        public var read = RateLimitPolicy(limit: 600, window: .seconds(60))
        public var write = RateLimitPolicy(limit: 120, window: .seconds(60))
        public var review = RateLimitPolicy(limit: 30, window: .seconds(60))

        public init() {}
    }

    /// The first admin, created on a start with no users.
    public struct BootstrapAdmin: Equatable, Sendable {
        public let email: String
        public let password: String
    }

    public var mode: DeploymentMode = .development
    public var jwtSecret: SecretSource = .unset
    public var masterKey: SecretSource = .unset
    public var accessTokenTTL: Duration = .seconds(900)
    public var refreshTokenTTL: Duration = .seconds(30 * 86_400)
    public var loginLockout = RateLimitPolicy(limit: 5, window: .seconds(900))
    public var allowedOrigins: [String] = []
    public var trustForwardedHeaders = false
    public var maxBodySize = 1 << 20
    public var rateLimits = RateLimits()
    /// Days to keep each class of audit entry; a missing class or 0 keeps them forever.
    public var auditRetentionDays: [AuditClass: Int] = [.auth: 180]
    public var bootstrapAdmin: BootstrapAdmin?

    public init() {}

    /// Reads the security keys, adding any problems to `reader`; `nil` when one was invalid.
    static func read(_ reader: inout Reader) -> SecuritySettings? {
        var settings = SecuritySettings()
        let before = reader.problems.count
        if let mode = reader.value(.environmentMode, { raw -> Result<DeploymentMode, ProblemText> in
            DeploymentMode(rawValue: raw.lowercased()).map { .success($0) } ?? .failure("must be development or production")
        }) {
            settings.mode = mode
        }
        settings.jwtSecret = secret(&reader, value: .jwtSecret, file: .jwtSecretFile, mode: settings.mode)
        settings.masterKey = secret(&reader, value: .masterKey, file: .masterKeyFile, mode: settings.mode)
        if let ttl = reader.value(.accessTokenTTL, seconds(in: 60...3600)) { settings.accessTokenTTL = ttl }
        if let ttl = reader.value(.refreshTokenTTL, seconds(in: 3600...7_776_000)) { settings.refreshTokenTTL = ttl }
        if let policy = reader.value(.loginLockout, rateLimit) { settings.loginLockout = policy }
        if let policy = reader.value(.rateLimitAuth, rateLimit) { settings.rateLimits.auth = policy }
        if let policy = reader.value(.rateLimitRead, rateLimit) { settings.rateLimits.read = policy }
        if let policy = reader.value(.rateLimitWrite, rateLimit) { settings.rateLimits.write = policy }
        if let policy = reader.value(.rateLimitReview, rateLimit) { settings.rateLimits.review = policy }
        if let origins = reader.optionalValue(.allowedOrigins, parseOrigins) { settings.allowedOrigins = origins }
        if let trust = reader.value(.trustForwardedHeaders, parseBool) { settings.trustForwardedHeaders = trust }
        if let size = reader.value(.maxBodySize, { raw -> Result<Int, ProblemText> in
            guard let size = Int(raw), (1024...(256 << 20)).contains(size) else {
                return .failure("must be a number of bytes from 1024 to 268435456")
            }
            return .success(size)
        }) {
            settings.maxBodySize = size
        }
        if let retention = reader.value(.auditRetention, parseRetention) { settings.auditRetentionDays = retention }

        let email = reader.optionalValue(.bootstrapAdminEmail) { raw -> Result<String, ProblemText> in
            isEmailAddress(raw) ? .success(raw.lowercased()) : .failure("must be an e-mail address")
        }
        let password = reader.optionalValue(.bootstrapAdminPassword) { raw -> Result<String, ProblemText> in .success(raw) }
        switch (email, password) {
        case (let email?, let password?):
            if let problem = PasswordPolicy.problem(with: password, email: email) {
                reader.report(.bootstrapAdminPassword, source: ConfigurationKey.bootstrapAdminPassword.environment, problem)
            } else {
                settings.bootstrapAdmin = BootstrapAdmin(email: email, password: password)
            }
        case (nil, nil):
            break
        case (nil, _):
            reader.report(.bootstrapAdminEmail, source: ConfigurationKey.bootstrapAdminEmail.environment, "is needed with ARBITER_BOOTSTRAP_ADMIN_PASSWORD")
        case (_, nil):
            reader.report(.bootstrapAdminPassword, source: ConfigurationKey.bootstrapAdminPassword.environment, "is needed with ARBITER_BOOTSTRAP_ADMIN_EMAIL")
        }
        return reader.problems.count == before ? settings : nil
    }

    /// A secret from its value or its file; in production it must be set and, when given inline, strong.
    private static func secret(
        _ reader: inout Reader, value: ConfigurationKey, file: ConfigurationKey, mode: DeploymentMode
    ) -> SecretSource {
        let inline = reader.optionalValue(value) { raw -> Result<String, ProblemText> in .success(raw) }
        let path = reader.optionalValue(file) { raw -> Result<String, ProblemText> in .success(raw) }
        switch (inline, path) {
        case (let inline?, nil):
            if mode == .production, let weakness = ConfiguredSecret(inline).weakness {
                reader.report(value, source: value.environment, "is too weak for production: \(weakness)")
            }
            return .value(inline)
        case (nil, let path?):
            return .file(path)
        case (.some, .some):
            reader.report(value, source: value.environment, "is set together with \(file.environment); set only one")
            return .unset
        case (nil, nil):
            if mode == .production {
                reader.report(
                    value, source: value.environment,
                    "is required with ARBITER_ENV=production (or \(file.environment)); generate one with `openssl rand -base64 32`")
            }
            return .unset
        }
    }

    private static func seconds(in range: ClosedRange<Int>) -> (String) -> Result<Duration, ProblemText> {
        { raw in
            guard let value = Int(raw), range.contains(value) else {
                return .failure("must be a whole number of seconds from \(range.lowerBound) to \(range.upperBound)")
            }
            return .success(.seconds(value))
        }
    }

    private static func rateLimit(_ raw: String) -> Result<RateLimitPolicy, ProblemText> {
        RateLimitPolicy.parse(raw).map { .success($0) }
            ?? .failure("must be requests/window such as 60/60s, 10/1m or 1000/1h (window up to 24h)")
    }

    private static func parseBool(_ raw: String) -> Result<Bool, ProblemText> {
        switch raw.lowercased() {
        case "true", "1", "yes", "on": .success(true)
        case "false", "0", "no", "off": .success(false)
        default: .failure("must be true or false")
        }
    }

    private static func parseOrigins(_ raw: String) -> Result<[String], ProblemText> {
        var origins: [String] = []
        for item in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let origin = OriginPolicy.origin(ofURL: item), origin.count == item.count || item.hasSuffix("/"),
                item.hasPrefix("https://") || item.hasPrefix("http://")
            else {
                return .failure("'\(item)' is not an origin; write scheme://host[:port], e.g. https://app.example.com")
            }
            origins.append(origin)
        }
        return .success(origins)
    }

    private static func parseRetention(_ raw: String) -> Result<[AuditClass: Int], ProblemText> {
        var days: [AuditClass: Int] = [:]
        for item in raw.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let auditClass = AuditClass(rawValue: parts[0]) else {
                return .failure("must be class=days pairs, such as auth=180d,admin=0 (classes: auth, admin, system)")
            }
            let number = parts[1].hasSuffix("d") ? String(parts[1].dropLast()) : parts[1]
            guard let value = Int(number), (0...36_500).contains(value) else {
                return .failure("'\(parts[1])' for \(parts[0]) must be a number of days from 0 (forever) to 36500")
            }
            days[auditClass] = value == 0 ? nil : value
        }
        return .success(days)
    }

    public static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && text.count <= 254 && !text.contains(where: { $0.isWhitespace || $0.isNewline })
    }
}
