import ArbiterCore
import Foundation
import Testing

@Suite("Security configuration")
struct SecuritySettingsTests {
    @Test("development needs no secrets: they will be generated")
    func developmentDefaults() throws {
        let security = try ArbiterConfiguration.resolve(flags: [:], environment: [:]).security
        #expect(security.mode == .development)
        #expect(security.jwtSecret == .unset && security.masterKey == .unset)
        #expect(security.accessTokenTTL == .seconds(900))
        #expect(security.loginLockout == RateLimitPolicy(limit: 5, window: .seconds(900)))
        #expect(security.auditRetentionDays == [.auth: 180])
    }

    @Test("production without secrets refuses, naming both")
    func productionRequiresSecrets() {
        let error = #expect(throws: ConfigurationError.self) {
            try ArbiterConfiguration.resolve(flags: [:], environment: ["ARBITER_ENV": "production"])
        }
        let text = error?.description ?? ""
        #expect(text.contains("ARBITER_JWT_SECRET"))
        #expect(text.contains("ARBITER_MASTER_KEY"))
        #expect(error?.problems.count == 2)
    }

    @Test("production with weak secrets refuses without repeating them")
    func productionRefusesWeakSecrets() {
        let error = #expect(throws: ConfigurationError.self) {
            try ArbiterConfiguration.resolve(
                flags: [:], environment: ["ARBITER_ENV": "production", "ARBITER_JWT_SECRET": "hunter2", "ARBITER_MASTER_KEY": "changeme"])
        }
        let text = error?.description ?? ""
        #expect(text.contains("too weak"))
        #expect(!text.contains("hunter2") && !text.contains("\"changeme\""))
    }

    @Test("production with strong secrets, inline or as files, starts")
    func productionWithSecrets() throws {
        let strong = "base64:" + Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()
        let configuration = try ArbiterConfiguration.resolve(
            flags: [.masterKeyFile: "/run/secrets/master"],
            environment: ["ARBITER_ENV": "production", "ARBITER_JWT_SECRET": strong])
        #expect(configuration.security.mode == .production)
        #expect(configuration.security.jwtSecret == .value(strong))
        #expect(configuration.security.masterKey == .file("/run/secrets/master"))
    }

    @Test("a secret given both inline and as a file is a mistake")
    func bothSources() {
        #expect(throws: ConfigurationError.self) {
            try ArbiterConfiguration.resolve(flags: [.jwtSecretFile: "/x"], environment: ["ARBITER_JWT_SECRET": "y"])
        }
    }

    @Test("limits, origins and retention parse, and bad ones are explained", arguments: [
        (ConfigurationKey.rateLimitRead, "lots"), (.loginLockout, "5"), (.allowedOrigins, "app.example.com"),
        (.allowedOrigins, "https://a.example.com/path"), (.auditRetention, "auth=forever"), (.auditRetention, "logins=30d"),
        (.accessTokenTTL, "86400"), (.maxBodySize, "10"), (.trustForwardedHeaders, "sometimes"), (.environmentMode, "staging"),
    ])
    func invalidValues(key: ConfigurationKey, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try ArbiterConfiguration.resolve(flags: [key: value], environment: [:]) }
        #expect(error?.problems.first?.key == key)
    }

    @Test("valid limits, origins and retention are read")
    func validValues() throws {
        let security = try ArbiterConfiguration.resolve(
            flags: [
                .rateLimitWrite: "30/1m", .allowedOrigins: "https://app.example.com, http://localhost:3000",
                .auditRetention: "auth=30d,admin=0,system=3650", .trustForwardedHeaders: "true",
            ],
            environment: [:]
        ).security
        #expect(security.rateLimits.write == RateLimitPolicy(limit: 30, window: .seconds(60)))
        #expect(security.allowedOrigins == ["https://app.example.com", "http://localhost:3000"])
        #expect(security.auditRetentionDays == [.auth: 30, .system: 3650])
        #expect(security.trustForwardedHeaders)
    }

    @Test("a bootstrap admin needs both address and a policy-conforming password")
    func bootstrap() throws {
        #expect(throws: ConfigurationError.self) {
            try ArbiterConfiguration.resolve(flags: [:], environment: ["ARBITER_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com"])
        }
        let weak = #expect(throws: ConfigurationError.self) {
            try ArbiterConfiguration.resolve(
                flags: [:], environment: ["ARBITER_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com", "ARBITER_BOOTSTRAP_ADMIN_PASSWORD": "short"])
        }
        #expect(weak?.description.contains("short") == false)
        let configuration = try ArbiterConfiguration.resolve(
            flags: [:],
            environment: ["ARBITER_BOOTSTRAP_ADMIN_EMAIL": "Admin@Example.com", "ARBITER_BOOTSTRAP_ADMIN_PASSWORD": "correct horse battery staple"])
        #expect(configuration.security.bootstrapAdmin?.email == "admin@example.com")
    }
}
