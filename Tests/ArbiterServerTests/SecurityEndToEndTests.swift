import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One request with an optional JSON body and bearer token, through a real socket.
func http(
    _ method: HTTPMethod, _ url: String, json: String? = nil, token: String? = nil
) async throws -> (status: UInt, body: String, headers: HTTPHeaders) {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let json {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
    }
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 20)
    return (response.status.code, String(buffer: body), response.headers)
}

/// Signs in and returns the access token.
func signIn(_ url: String, email: String, password: String) async throws -> String {
    let response = try await http(.POST, url + "/api/v1/auth/login", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
    let object = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
    return try #require(object?["access_token"] as? String, "login failed: \(response.status) \(response.body)")
}

@Suite("The arbiter binary's security", .timeLimit(.minutes(5)))
struct SecurityEndToEndTests {
    static let password = "correct horse battery staple"

    @Test("production mode without secrets refuses to start and names each one")
    func productionWithoutSecrets() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try await ArbiterProcess.run(["serve", "--port", "0", "--data-dir", folder], environment: ["ARBITER_ENV": "production"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("ARBITER_JWT_SECRET") && result.stderr.contains("ARBITER_MASTER_KEY"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/jwt-secret"))
    }

    @Test("production mode refuses a weak key from a file, naming the file")
    func productionWeakFile() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "tooshort".write(toFile: folder + "/jwt", atomically: true, encoding: .utf8)
        let strong = "base64:" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }).base64EncodedString()
        let result = try await ArbiterProcess.run(
            ["serve", "--port", "0", "--data-dir", folder + "/data", "--jwt-secret-file", folder + "/jwt"],
            environment: ["ARBITER_ENV": "production", "ARBITER_MASTER_KEY": strong])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ARBITER_JWT_SECRET_FILE") && result.stderr.contains("too weak"))
    }

    @Test("the first admin comes from the bootstrap variables or from create-user, and can sign in")
    func firstAdmin() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try ArbiterProcess(
            ["serve", "--port", "0", "--data-dir", folder],
            environment: ["ARBITER_BOOTSTRAP_ADMIN_EMAIL": "root@example.com", "ARBITER_BOOTSTRAP_ADMIN_PASSWORD": Self.password])
        let url = try await server.waitUntilServing()
        let token = try await signIn(url, email: "root@example.com", password: Self.password)
        #expect(try await http(.GET, url + "/api/v1/users", token: token).status == 200)
        #expect(server.standardOutput.contains("generated a secret for development"))

        let created = try ArbiterProcess(
            ["admin", "create-user", "--email", "dev@example.com", "--role", "developer", "--password-stdin", "--data-dir", folder])
        try created.write(Self.password + "\n")
        #expect(try await created.waitForExit() == 0)
        #expect(created.standardOutput.contains("created developer dev@example.com"))
        let developer = try await signIn(url, email: "dev@example.com", password: Self.password)
        #expect(try await http(.GET, url + "/api/v1/users", token: developer).status == 403)

        let again = try ArbiterProcess(["admin", "create-user", "--email", "dev@example.com", "--role", "admin", "--password-stdin", "--data-dir", folder])
        try again.write(Self.password + "\n")
        #expect(try await again.waitForExit() == 1)
        #expect(again.standardError.contains("already exists"))
        let weak = try ArbiterProcess(["admin", "create-user", "--email", "x@example.com", "--role", "admin", "--password-stdin", "--data-dir", folder])
        try weak.write("short\n")
        #expect(try await weak.waitForExit() == 2)
        server.send(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }

    @Test("verify-audit passes an intact log and catches an entry altered directly in the database")
    func verifyAudit() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let create = try ArbiterProcess(["admin", "create-user", "--email", "root@example.com", "--role", "admin", "--password-stdin", "--data-dir", folder])
        try create.write(Self.password + "\n")
        #expect(try await create.waitForExit() == 0)
        let intact = try await ArbiterProcess.run(["admin", "verify-audit", "--data-dir", folder])
        #expect(intact.status == 0)
        #expect(intact.stdout.contains("admin: 2 entries, intact"))

        let store = try await SQLiteStore.open(path: folder + "/arbiter.sqlite", logger: testLogger())
        try await store.transaction { executor in
            try await executor.query("DROP TRIGGER audit_log_no_update")
            try await executor.query("UPDATE audit_log SET actor = 'user:somebody-else' WHERE chain = 'admin' AND seq = 2")
        }
        await store.close()
        let tampered = try await ArbiterProcess.run(["admin", "verify-audit", "--data-dir", folder])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("entry 2: its content was changed"))
    }

    @Test("rotate-keys re-encrypts every secret under the new master key, and the server uses it")
    func rotateKeys() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let oldKey = "base64:" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 13 + 1) }).base64EncodedString()
        let newKey = "base64:" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 29 + 7) }).base64EncodedString()
        try oldKey.write(toFile: folder + "/old.key", atomically: true, encoding: .utf8)
        let admin = ["ARBITER_BOOTSTRAP_ADMIN_EMAIL": "root@example.com", "ARBITER_BOOTSTRAP_ADMIN_PASSWORD": Self.password]
        let before = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder], environment: admin.merging(["ARBITER_MASTER_KEY": oldKey]) { $1 })
        let url = try await before.waitUntilServing()
        let token = try await signIn(url, email: "root@example.com", password: Self.password)
        #expect(try await http(.PUT, url + "/api/v1/secrets/openai", json: #"{"value":"sk-one"}"#, token: token).status == 201)
        #expect(try await http(.PUT, url + "/api/v1/secrets/github", json: #"{"value":"gh-two"}"#, token: token).status == 201)
        before.send(SIGTERM)
        #expect(try await before.waitForExit() == 0)

        let rotate = try await ArbiterProcess.run(
            ["admin", "rotate-keys", "--old-master-key-file", folder + "/old.key", "--data-dir", folder], environment: ["ARBITER_MASTER_KEY": newKey])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        let newID = SecretCipher(masterKey: ConfiguredSecret(newKey)).keyID
        #expect(rotate.stdout.contains("re-encrypted 2 secret(s) and 1 system key(s) under master key \(newID)"))
        // Running it again is harmless: nothing is left under the old key.
        #expect(try await ArbiterProcess.run(
            ["admin", "rotate-keys", "--old-master-key-file", folder + "/old.key", "--data-dir", folder], environment: ["ARBITER_MASTER_KEY": newKey]
        ).stdout.contains("re-encrypted 0 secret(s) and 0 system key(s)"))

        let store = try await SQLiteStore.open(path: folder + "/arbiter.sqlite", logger: testLogger())
        let rows = try await store.read { executor in try await executor.query("SELECT organization_id, name, ciphertext FROM secrets ORDER BY name") }
        await store.close()
        let cipher = SecretCipher(masterKey: ConfiguredSecret(newKey))
        let values = try rows.map { try cipher.open($0.decode("ciphertext"), organizationID: $0.decode("organization_id"), name: $0.decode("name")) }
        #expect(values == ["gh-two", "sk-one"])
        // The audit log still verifies: its key moved to the new master key with the secrets.
        let verified = try await ArbiterProcess.run(["admin", "verify-audit", "--data-dir", folder], environment: ["ARBITER_MASTER_KEY": newKey])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        let after = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder], environment: ["ARBITER_MASTER_KEY": newKey])
        _ = try await after.waitUntilServing()
        after.send(SIGTERM)
        #expect(try await after.waitForExit() == 0)
        let wrongKey = try await ArbiterProcess.run(["serve", "--port", "0", "--data-dir", folder], environment: ["ARBITER_MASTER_KEY": oldKey])
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stderr.contains("master key"))
    }

    @Test("two servers on one PostgreSQL database share one rate-limit budget",
        .enabled(if: TestBackend.postgresURL != nil || TestBackend.isCI))
    func sharedRateLimit() async throws {
        try await withTestDatabase(.postgres) { _, configuration in
            guard case .postgres(let settings) = configuration else { return }
            let url = "postgres://\(settings.username)@\(TestBackend.postgresHostPort)/\(settings.database)?sslmode=disable"
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let environment = [
                "ARBITER_DATABASE_URL": url, "ARBITER_BOOTSTRAP_ADMIN_EMAIL": "root@example.com",
                "ARBITER_BOOTSTRAP_ADMIN_PASSWORD": Self.password, "ARBITER_RATE_LIMIT_READ": "6/60s",
            ]
            let first = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder], environment: environment)
            let firstURL = try await first.waitUntilServing()
            // The second replica shares the first one's secrets, as replicas must.
            let second = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder], environment: environment)
            let secondURL = try await second.waitUntilServing()
            let token = try await signIn(firstURL, email: "root@example.com", password: Self.password)
            var statuses: [UInt] = []
            for index in 0..<8 {
                statuses.append(try await http(.GET, (index.isMultiple(of: 2) ? firstURL : secondURL) + "/api/v1/me", token: token).status)
            }
            #expect(statuses.filter { $0 == 200 }.count == 6, "statuses: \(statuses)")
            #expect(statuses.suffix(2) == [429, 429])
            for server in [first, second] {
                server.send(SIGTERM)
                #expect(try await server.waitForExit() == 0)
            }
        }
    }
}
