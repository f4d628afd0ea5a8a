import ArbiterCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("no flags and no environment give the documented defaults")
    func defaults() throws {
        let configuration = try ArbiterConfiguration.resolve(flags: [:], environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./.arbiter")
        #expect(configuration.database == .sqlite(path: "./.arbiter/arbiter.sqlite"))
        #expect(configuration.autoMigrate)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .json)
        #expect(configuration.shutdownTimeout == .seconds(30))
        #expect(configuration.poolSize == 10)
        // Every key with a default resolves to the value its documentation promises.
        for key in ConfigurationKey.all where key.defaultValue != nil {
            #expect(key.help.contains("default: \(key.defaultValue!)"))
            #expect(key.help.contains(key.environment))
        }
    }

    @Test("flags win over the environment, which wins over defaults")
    func precedence() throws {
        let environment = ["ARBITER_PORT": "9000", "ARBITER_HOST": "0.0.0.0", "ARBITER_DATA_DIR": "/var/lib/arbiter"]
        let fromEnvironment = try ArbiterConfiguration.resolve(flags: [:], environment: environment)
        #expect(fromEnvironment.port == 9000)
        #expect(fromEnvironment.host == "0.0.0.0")
        #expect(fromEnvironment.database == .sqlite(path: "/var/lib/arbiter/arbiter.sqlite"))

        let withFlags = try ArbiterConfiguration.resolve(flags: [.port: "7000"], environment: environment)
        #expect(withFlags.port == 7000)
        #expect(withFlags.host == "0.0.0.0")
    }

    @Test("an empty environment variable counts as unset")
    func emptyEnvironment() throws {
        let configuration = try ArbiterConfiguration.resolve(flags: [:], environment: ["ARBITER_PORT": "", "ARBITER_DATABASE_URL": ""])
        #expect(configuration.port == 8080)
        #expect(configuration.database.backendName == "sqlite")
    }

    @Test("every invalid value is reported at once, naming where it came from")
    func allProblemsAtOnce() {
        let flags: [ConfigurationKey: String] = [.port: "eighty", .logLevel: "loud"]
        let environment = [
            "ARBITER_DATABASE_URL": "mysql://root:hunter2@db/app", "ARBITER_AUTO_MIGRATE": "perhaps", "ARBITER_DB_POOL_SIZE": "0",
        ]
        let error = #expect(throws: ConfigurationError.self) {
            try ArbiterConfiguration.resolve(flags: flags, environment: environment)
        }
        let problems = error?.problems ?? []
        #expect(Set(problems.map(\.key)) == [.port, .logLevel, .databaseURL, .autoMigrate, .poolSize])
        #expect(problems.first { $0.key == .port }?.source == "--port")
        #expect(problems.first { $0.key == .autoMigrate }?.source == "ARBITER_AUTO_MIGRATE")
        let text = error?.description ?? ""
        #expect(text.contains("5 problems"))
        #expect(text.contains("\"eighty\""))
        // The database URL can hold a password; it is never repeated.
        #expect(!text.contains("hunter2"))
    }

    @Test("ports outside 0-65535 are refused; 0 means any free port", arguments: ["-1", "65536", "80.5", " 80"])
    func badPorts(port: String) {
        #expect(throws: ConfigurationError.self) { try ArbiterConfiguration.resolve(flags: [.port: port], environment: [:]) }
    }

    @Test("auto-migrate accepts the usual spellings of true and false")
    func booleans() throws {
        for (raw, expected) in [("false", false), ("0", false), ("NO", false), ("off", false), ("true", true), ("1", true), ("Yes", true)] {
            #expect(try ArbiterConfiguration.resolve(flags: [.autoMigrate: raw], environment: [:]).autoMigrate == expected)
        }
    }

    @Test("a postgres URL selects PostgreSQL")
    func postgresSelected() throws {
        let configuration = try ArbiterConfiguration.resolve(
            flags: [.databaseURL: "postgresql://arbiter:s3cret@db.internal:6432/reviews?sslmode=verify-full"], environment: [:])
        guard case .postgres(let settings) = configuration.database else {
            Issue.record("expected PostgreSQL, got \(configuration.database)")
            return
        }
        #expect(settings.endpoint == .tcp(host: "db.internal", port: 6432))
        #expect(settings.username == "arbiter")
        #expect(settings.password == "s3cret")
        #expect(settings.database == "reviews")
        #expect(settings.tlsMode == .verifyFull)
        #expect(!settings.description.contains("s3cret"))
    }
}

@Suite("PostgreSQL URLs")
struct PostgresSettingsTests {
    @Test("defaults: port 5432, TLS preferred, database named after the user")
    func defaults() throws {
        let settings = try PostgresSettings.parse("postgres://arbiter@localhost").get()
        #expect(settings.endpoint == .tcp(host: "localhost", port: 5432))
        #expect(settings.database == "arbiter")
        #expect(settings.tlsMode == .prefer)
        #expect(settings.password == nil)
    }

    @Test("percent-encoded credentials are decoded")
    func percentEncoding() throws {
        let settings = try PostgresSettings.parse("postgres://app%40corp:p%2Fss%3Aword@127.0.0.1:5433/my%20db").get()
        #expect(settings.username == "app@corp")
        #expect(settings.password == "p/ss:word")
        #expect(settings.database == "my db")
    }

    @Test("a unix socket folder can be given as host parameter or encoded host")
    func unixSockets() throws {
        let parameter = try PostgresSettings.parse("postgres://arbiter@/reviews?host=/var/run/postgresql").get()
        #expect(parameter.endpoint == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432"))
        let encoded = try PostgresSettings.parse("postgres://arbiter@%2Ftmp%2Fpg:6000/reviews").get()
        #expect(encoded.endpoint == .unixSocket(path: "/tmp/pg/.s.PGSQL.6000"))
    }

    @Test("mistakes are all reported with what is accepted")
    func mistakes() throws {
        let error = try #require(throws: PostgresURLError.self) {
            try PostgresSettings.parse("postgres://:pw@db/x?sslmode=always&sslmod=require").get()
        }
        #expect(error.problems.count == 3)
        #expect(error.description.contains("unknown parameter 'sslmod'"))
        #expect(error.description.contains("sslmode 'always'"))
        #expect(error.description.contains("user name is required"))
        #expect(throws: PostgresURLError.self) { try PostgresSettings.parse("http://db/x").get() }
        #expect(throws: PostgresURLError.self) { try PostgresSettings.parse("not a url at all").get() }
    }
}
