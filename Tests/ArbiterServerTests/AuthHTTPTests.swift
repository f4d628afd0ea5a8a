import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Sign-in, refresh and sign-out")
struct AuthFlowTests {
    @Test("login returns a working token pair; the access token expires in the configured time", arguments: TestBackend.available)
    func login(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .maintainer)
            let response = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"ALICE@example.com ","password":"\#(alice.password)"}"#)
            #expect(response.status == .ok)
            let json = try response.json
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["expires_in"] as? Int == 900)
            #expect((json["refresh_token"] as? String)?.hasPrefix("art_") == true)
            let me = try await client.send(.get, "/api/v1/me", token: try #require(json["access_token"] as? String))
            #expect(me.status == .ok)
            let body = try me.json
            #expect(body["id"] as? String == alice.id)
            #expect(body["role"] as? String == "maintainer")
            #expect(body["organization_id"] as? String == alice.organizationID)
            #expect((body["permissions"] as? [String])?.contains("users:manage") == false)
            let audit = try await dependencies.audit.list(.init(action: "auth.login"), limit: 10, cursor: nil).records
            #expect(audit.first?.event.outcome == .success)
        }
    }

    @Test("unknown address, wrong password and disabled account get one and the same answer")
    func sameAnswer() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .viewer)
            let wrong = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"not-her-password-1"}"#)
            let unknown = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"nobody@example.com","password":"\#(alice.password)"}"#)
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            var first = try wrong.json
            var second = try unknown.json
            for key in ["request_id"] {
                first[key] = nil
                second[key] = nil
            }
            #expect(NSDictionary(dictionary: first).isEqual(to: second))
            let failures = try await dependencies.audit.list(.init(action: "auth.login", outcome: .failure), limit: 10, cursor: nil).records
            #expect(failures.count == 2)
        }
    }

    @Test("repeated failures lock the account and the address out, unknown accounts alike; success clears the account")
    func lockout() async throws {
        let settings = testSettings { $0.loginLockout = RateLimitPolicy(limit: 3, window: .seconds(900)) }
        try await withTestApplication(.sqlite, settings: settings) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .viewer)
            for _ in 0..<3 {
                #expect(try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"ghost@example.com","password":"wrong-password-123"}"#).status == .unauthorized)
            }
            // The address is now locked out: even the right password from here waits.
            let locked = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"\#(alice.password)"}"#)
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(try locked.json["type"] as? String == "urn:arbiter:problem:login-locked")
            let denied = try await dependencies.audit.list(.init(action: "auth.login", outcome: .denied), limit: 10, cursor: nil).records
            #expect(!denied.isEmpty)
        }
    }

    @Test("an account is locked after failures from several addresses")
    func accountLockoutAcrossAddresses() async throws {
        let settings = testSettings {
            $0.loginLockout = RateLimitPolicy(limit: 2, window: .seconds(900))
            $0.trustForwardedHeaders = true
        }
        try await withTestApplication(.sqlite, settings: settings) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .viewer)
            for address in ["10.0.0.1", "10.0.0.2"] {
                let failed = try await client.send(
                    .post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"guess-number-one"}"#,
                    headers: [.init("X-Forwarded-For")!: address])
                #expect(failed.status == .unauthorized)
            }
            let fromThird = try await client.send(
                .post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"\#(alice.password)"}"#,
                headers: [.init("X-Forwarded-For")!: "10.0.0.3"])
            #expect(fromThird.status == .tooManyRequests)
        }
    }

    @Test("refresh rotates; replaying a spent refresh token ends the session for everyone holding it", arguments: TestBackend.available)
    func refreshRotation(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .developer)
            let login = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"\#(alice.password)"}"#).json
            let first = try #require(login["refresh_token"] as? String)
            let refreshed = try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token":"\#(first)"}"#)
            #expect(refreshed.status == .ok)
            let second = try #require(try refreshed.json["refresh_token"] as? String)
            #expect(second != first)
            // Replay of the spent token: refused, and the newer token dies with its family.
            #expect(try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token":"\#(first)"}"#).status == .unauthorized)
            #expect(try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token":"\#(second)"}"#).status == .unauthorized)
        }
    }

    @Test("a role change reaches the next refreshed token")
    func refreshSeesRoleChange() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .viewer)
            let login = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"\#(alice.password)"}"#).json
            _ = try await dependencies.identities.changeRole(userID: alice.id, organizationID: alice.organizationID, to: .reviewer, by: .system)
            let refreshed = try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token":"\#(login["refresh_token"] as! String)"}"#).json
            #expect(refreshed["role"] as? String == "reviewer")
            let me = try await client.send(.get, "/api/v1/me", token: refreshed["access_token"] as? String).json
            #expect(me["role"] as? String == "reviewer")
        }
    }

    @Test("logout kills the refresh token")
    func logout() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .viewer)
            let login = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"\#(alice.password)"}"#).json
            #expect(try await client.send(.post, "/api/v1/auth/logout", token: login["access_token"] as? String).status == .noContent)
            #expect(try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token":"\#(login["refresh_token"] as! String)"}"#).status == .unauthorized)
        }
    }

    @Test("parallel guesses cannot outrun the lockout: at most the allowed number reach the password check")
    func parallelGuesses() async throws {
        let settings = testSettings { $0.loginLockout = RateLimitPolicy(limit: 3, window: .seconds(900)) }
        try await withTestApplication(.sqlite, settings: settings) { client, dependencies in
            _ = try await dependencies.makeUser("alice@example.com", role: .viewer)
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        UInt(try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"guess-\#(index)-long-enough"}"#).status.code)
                    }
                }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 9)
            let checked = try await dependencies.audit.list(.init(action: "auth.login", outcome: .failure), limit: 100, cursor: nil).records
            #expect(checked.count == 3)
        }
    }

    @Test("a demoted admin's token loses the admin rights at once; a signed-out token stops working")
    func tokensFollowTheDatabase() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let first = try await dependencies.makeUser("first@example.com", role: .admin)
            let second = try await dependencies.makeUser("second@example.com", role: .admin)
            let secondToken = try await client.token(for: second)
            #expect(try await client.send(.get, "/api/v1/users", token: secondToken).status == .ok)
            let firstToken = try await client.token(for: first)
            #expect(try await client.send(.patch, "/api/v1/users/\(second.id)", token: firstToken, json: #"{"role":"viewer"}"#).status == .ok)
            // The answer about the second admin's session may be a few seconds old on another replica; here the
            // check ran before the change, so wait out its lifetime.
            try await Task.sleep(for: .seconds(5.2))
            #expect(try await client.send(.get, "/api/v1/users", token: secondToken).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/me", token: secondToken).json["role"] as? String == "viewer")
            #expect(try await client.send(.post, "/api/v1/auth/logout", token: firstToken).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/me", token: firstToken).status == .unauthorized)
        }
    }

    @Test("an API key never has more rights than its creator has now")
    func apiKeyFollowsCreator() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let creator = try await dependencies.makeUser("creator@example.com", role: .admin)
            let token = try await client.token(for: creator)
            let key = try #require(try await client.send(.post, "/api/v1/api-keys", token: token, json: #"{"name":"ci","role":"admin"}"#).json["key"] as? String)
            #expect(try await client.send(.get, "/api/v1/audit", token: key).status == .ok)
            _ = try await dependencies.identities.changeRole(userID: creator.id, organizationID: creator.organizationID, to: .developer, by: .system)
            try await Task.sleep(for: .seconds(5.2))
            #expect(try await client.send(.get, "/api/v1/audit", token: key).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/me", token: key).json["role"] as? String == "developer")
        }
    }

    @Test("requests with bad credentials spend the budget of their address too")
    func badCredentialsAreCounted() async throws {
        try await withTestApplication(.sqlite, settings: testSettings { $0.rateLimits.read = RateLimitPolicy(limit: 3, window: .seconds(60)) }) { client, _ in
            var statuses: [UInt] = []
            for _ in 0..<5 { statuses.append(UInt(try await client.send(.get, "/api/v1/me", token: "forged.token.value").status.code)) }
            #expect(statuses == [401, 401, 401, 429, 429])
        }
    }

    @Test("a person in several organizations names one, and gets a token for that one only")
    func severalOrganizations() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .admin, organization: "acme")
            let globex = try await dependencies.makeUser("someone@globex.test", role: .admin, organization: "globex")
            try await dependencies.database.transaction { executor in
                try await executor.query(
                    "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (\(globex.organizationID), \(alice.id), 'viewer', 0)")
            }
            let ambiguous = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"\#(alice.password)"}"#)
            #expect(ambiguous.status == .badRequest)
            #expect((try ambiguous.json["detail"] as? String)?.contains("acme, globex") == true)
            let chosen = try await client.send(
                .post, "/api/v1/auth/login", json: #"{"email":"alice@example.com","password":"\#(alice.password)","organization":"globex"}"#).json
            #expect(chosen["organization_id"] as? String == globex.organizationID)
            #expect(chosen["role"] as? String == "viewer")
        }
    }
}

@Suite("API keys and secrets over HTTP")
struct KeysAndSecretsHTTPTests {
    @Test("an API key is shown once, works as a Bearer credential, and stops working when revoked", arguments: TestBackend.available)
    func apiKeyLifecycle(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let admin = try await dependencies.makeUser("admin@example.com", role: .admin)
            let token = try await client.token(for: admin)
            let created = try await client.send(.post, "/api/v1/api-keys", token: token, json: #"{"name":"ci","role":"developer"}"#)
            #expect(created.status == .created)
            let body = try created.json
            let key = try #require(body["key"] as? String)
            #expect(key.hasPrefix("arb_"))
            let listed = try await client.send(.get, "/api/v1/api-keys", token: token)
            #expect(!listed.text.contains(key))
            #expect(!listed.text.contains(String(key.suffix(20))))
            let me = try await client.send(.get, "/api/v1/me", token: key).json
            #expect(me["kind"] as? String == "service_account")
            #expect(me["role"] as? String == "developer")
            #expect(me["authentication"] as? String == "api_key")
            // A stored hash is all the database has.
            let stored = try await dependencies.database.read { executor in try await executor.query("SELECT key_hash FROM api_keys") }
            #expect(try stored.first?.decode("key_hash", as: String.self) == Credentials.fingerprint(key))
            let id = try #require(body["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/api-keys/\(id)", token: token).status == .noContent)
            #expect(try await client.send(.get, "/api/v1/me", token: key).status == .unauthorized)
            let actions = try await dependencies.audit.list(.init(), limit: 100, cursor: nil).records.map(\.event.action)
            #expect(actions.contains("api_key.create") && actions.contains("api_key.revoke"))
        }
    }

    @Test("a secret's value goes in encrypted and never comes out", arguments: TestBackend.available)
    func secrets(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let admin = try await dependencies.makeUser("admin@example.com", role: .admin)
            let token = try await client.token(for: admin)
            let value = "sk-live-very-secret-value-123"
            let put = try await client.send(.put, "/api/v1/secrets/openai.key", token: token, json: #"{"value":"\#(value)"}"#)
            #expect(put.status == .created)
            #expect(try await client.send(.put, "/api/v1/secrets/openai.key", token: token, json: #"{"value":"\#(value)-2"}"#).status == .ok)
            let list = try await client.send(.get, "/api/v1/secrets", token: token)
            #expect(list.status == .ok && list.text.contains("openai.key") && !list.text.contains("sk-live"))
            let raw = try await dependencies.database.read { executor in try await executor.query("SELECT ciphertext FROM secrets") }
            let ciphertext: String = try #require(raw.first).decode("ciphertext")
            #expect(!ciphertext.contains("sk-live"))
            #expect(try dependencies.cipher.open(ciphertext, organizationID: admin.organizationID, name: "openai.key") == value + "-2")
            let audit = try await dependencies.audit.list(.init(), limit: 100, cursor: nil).records
            #expect(audit.contains { $0.event.action == "secret.create" } && !audit.contains { "\($0.event)".contains("sk-live") })
            #expect(try await client.send(.delete, "/api/v1/secrets/openai.key", token: token).status == .noContent)
            #expect(try await client.send(.delete, "/api/v1/secrets/openai.key", token: token).status == .notFound)
        }
    }

    @Test("bad secret names and values are refused with 400", arguments: ["..hidden", "a%20b", String(repeating: "x", count: 129), "semi;colon"])
    func badSecretNames(name: String) async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let token = try await client.token(for: try await dependencies.makeUser("admin@example.com", role: .admin))
            let response = try await client.send(.put, "/api/v1/secrets/\(name)", token: token, json: #"{"value":"v"}"#)
            #expect(response.status == .badRequest || response.status == .notFound)
        }
    }
}
