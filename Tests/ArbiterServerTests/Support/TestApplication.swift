import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// Fixed secrets for tests, strong enough for production checks.
let testSecrets = LoadedSecrets(
    jwtSecret: Array("test-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz".utf8),
    masterKey: ConfiguredSecret("base64:" + Data(repeating: 7, count: 32).base64EncodedString()), generated: [])

/// Cheap scrypt parameters, so tests that sign in often stay fast; the production parameters have a test of their own.
let testHasher = PasswordHasher(parameters: .init(logN: 10, r: 8, p: 1))

/// Security settings for tests: limits high enough not to get in the way unless a test lowers them.
func testSettings(_ adjust: (inout SecuritySettings) -> Void = { _ in }) -> SecuritySettings {
    var settings = SecuritySettings()
    settings.rateLimits.auth = RateLimitPolicy(limit: 10_000, window: .seconds(60))
    settings.rateLimits.read = RateLimitPolicy(limit: 10_000, window: .seconds(60))
    settings.rateLimits.write = RateLimitPolicy(limit: 10_000, window: .seconds(60))
    settings.rateLimits.review = RateLimitPolicy(limit: 10_000, window: .seconds(60))
    settings.loginLockout = RateLimitPolicy(limit: 1_000, window: .seconds(900))
    adjust(&settings)
    return settings
}

/// The services for `database`, as the server wires them.
func testDependencies(
    _ database: any SQLDatabase, settings: SecuritySettings = testSettings(), clock: any WallClock = SystemWallClock()
) async throws -> ServerDependencies {
    // A generous readiness timeout: the whole suite runs at once on two cores, and a probe that gives up after the
    // production 2 s would fail tests that are not about timeouts.
    try await ServerDependencies.make(
        database: database, settings: settings, secrets: testSecrets, clock: clock, passwordHasher: testHasher,
        readinessTimeout: .seconds(20))
}

/// Runs `body` against the real router on a new database of `backend`.
func withTestApplication(
    _ backend: TestBackend,
    migrate: Bool = true,
    settings: SecuritySettings = testSettings(),
    clock: any WallClock = SystemWallClock(),
    logger: Logger = testLogger(),
    additionalRoutes: @escaping @Sendable (DocumentedRouter<ArbiterRequestContext>) -> Void = { _ in },
    _ body: @escaping @Sendable (any TestClientProtocol, ServerDependencies) async throws -> Void
) async throws {
    try await withTestDatabase(backend) { database, _ in
        if migrate { try await Migrator(database: database).migrate() }
        let dependencies = try await testDependencies(database, settings: settings, clock: clock)
        if migrate { try await dependencies.audit.prepare() }
        let api = buildRouter(dependencies: dependencies, additionalRoutes: additionalRoutes)
        let app = Application(router: api.router, logger: logger)
        try await app.test(.router) { client in try await body(client, dependencies) }
        await dependencies.shutdown()
    }
}

/// A user made directly in the store, with a password good enough for the policy.
struct TestUser: Sendable {
    let member: Member
    let password: String
    var email: String { member.email }
    var id: String { member.userID }
    var organizationID: String { member.organizationID }
}

extension ServerDependencies {
    /// Creates a user in organization `organization` (created when new).
    func makeUser(_ email: String, role: Role, organization: String = "acme") async throws -> TestUser {
        try await audit.prepare()
        let password = "pass-\(email)-Zq9!long"
        let member = try await identities.createUser(
            email: email, passwordHash: try await credentials.hashPassword(password), organizationName: organization, role: role,
            by: .system)
        return TestUser(member: member, password: password)
    }
}

extension TestClientProtocol {
    /// Signs `user` in and returns the access token.
    func token(for user: TestUser) async throws -> String {
        try await execute(
            uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"email":"\#(user.email)","password":"\#(user.password)"}"#)
        ) { response in
            guard response.status == .ok, let token = try response.json["access_token"] as? String else {
                throw TestDatabaseError(description: "login failed: \(response.status) \(response.text)")
            }
            return token
        }
    }

    /// A request with a bearer token and, when given, a JSON body.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        if json != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) }) { $0 }
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        get throws {
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
            guard let dictionary = object as? [String: Any] else { throw TestDatabaseError(description: "body is not a JSON object") }
            return dictionary
        }
    }

    var text: String { String(buffer: body) }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-ID")!
}

/// Collects log entries in memory so tests can read what was logged.
final class CapturedLogs: @unchecked Sendable {
    struct Entry {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var storage: [Entry] = []

    var entries: [Entry] { lock.withLock { storage } }

    func append(_ entry: Entry) { lock.withLock { storage.append(entry) } }

    /// A logger whose every entry lands here.
    func logger() -> Logger {
        Logger(label: "captured") { _ in Handler(logs: self) }
    }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.append(Entry(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}
