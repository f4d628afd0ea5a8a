import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

/// Tokens an attacker might forge: signed with the real key but wrong claims, or not signed properly at all.
enum ForgedTokens {
    struct Claims: JWTPayload {
        var sub = SubjectClaim(value: "user")
        var iss = IssuerClaim(value: "arbiter")
        var aud = AudienceClaim(value: ["arbiter-api"])
        var exp = ExpirationClaim(value: Date().addingTimeInterval(600))
        var nbf = NotBeforeClaim(value: Date().addingTimeInterval(-10))
        var iat = IssuedAtClaim(value: Date().addingTimeInterval(-10))
        var jti = IDClaim(value: "x")
        var org: String
        var role = "admin"
        var name = "attacker@example.com"
        var sid = "s"

        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    /// Signs `claims` with Arbiter's real signing key, as only a server could.
    static func signed(_ claims: Claims) async throws -> String {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: testSecrets.jwtSecret), info: Data("arbiter-jwt-hs256".utf8), outputByteCount: 32)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: key), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    static func segment(_ json: String) -> String {
        Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

@Suite("Attacks on authentication")
struct JWTAttackTests {
    @Test("forged, expired, premature, foreign and mangled tokens are all refused")
    func forgedTokens() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let victim = try await dependencies.makeUser("victim@example.com", role: .viewer)
            let valid = try await client.token(for: victim)
            let parts = valid.split(separator: ".").map(String.init)
            let payloadJSON = String(decoding: try #require(Data(base64Encoded: parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/").padding(toLength: (parts[1].count + 3) / 4 * 4, withPad: "=", startingAt: 0))), as: UTF8.self)
            let escalated = payloadJSON.replacingOccurrences(of: #""role":"viewer""#, with: #""role":"admin""#)
            let org = victim.organizationID
            var attacks: [(String, String)] = [
                ("alg none", ForgedTokens.segment(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."),
                ("alg None, signature kept", ForgedTokens.segment(#"{"alg":"None","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]),
                ("HS/RS confusion", ForgedTokens.segment(#"{"alg":"RS256","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]),
                ("HS512 header", ForgedTokens.segment(#"{"alg":"HS512","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]),
                ("tampered payload", parts[0] + "." + ForgedTokens.segment(escalated) + "." + parts[2]),
                ("truncated signature", parts[0] + "." + parts[1] + "." + String(parts[2].dropLast(4))),
                ("no signature", parts[0] + "." + parts[1] + "."),
                ("two parts", parts[0] + "." + parts[1]),
                ("garbage", "not-a-token"),
                ("huge", String(repeating: "a", count: 10_000)),
            ]
            var expired = ForgedTokens.Claims(org: org)
            expired.exp = ExpirationClaim(value: Date().addingTimeInterval(-120))
            expired.iat = IssuedAtClaim(value: Date().addingTimeInterval(-1000))
            expired.nbf = NotBeforeClaim(value: Date().addingTimeInterval(-1000))
            attacks.append(("expired", try await ForgedTokens.signed(expired)))
            var premature = ForgedTokens.Claims(org: org)
            premature.nbf = NotBeforeClaim(value: Date().addingTimeInterval(600))
            attacks.append(("not yet valid", try await ForgedTokens.signed(premature)))
            var issuer = ForgedTokens.Claims(org: org)
            issuer.iss = IssuerClaim(value: "someone-else")
            attacks.append(("wrong issuer", try await ForgedTokens.signed(issuer)))
            var audience = ForgedTokens.Claims(org: org)
            audience.aud = AudienceClaim(value: ["another-api"])
            attacks.append(("wrong audience", try await ForgedTokens.signed(audience)))
            var forever = ForgedTokens.Claims(org: org)
            forever.exp = ExpirationClaim(value: Date().addingTimeInterval(86_400 * 365))
            attacks.append(("absurd lifetime", try await ForgedTokens.signed(forever)))
            var unknownRole = ForgedTokens.Claims(org: org)
            unknownRole.role = "superuser"
            attacks.append(("unknown role", try await ForgedTokens.signed(unknownRole)))

            for (name, token) in attacks {
                let response = try await client.send(.get, "/api/v1/users", token: token)
                #expect(response.status == .unauthorized, "\(name) got \(response.status)")
            }
            // The genuine token still works, and the victim still cannot list users.
            #expect(try await client.send(.get, "/api/v1/me", token: valid).status == .ok)
            #expect(try await client.send(.get, "/api/v1/users", token: valid).status == .forbidden)
        }
    }

    @Test("credentials in the wrong form are refused", arguments: ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", "Token abc", "bearer arb_short"])
    func malformedAuthorization(header: String) async throws {
        try await withTestApplication(.sqlite) { client, _ in
            let response = try await client.send(.get, "/api/v1/me", headers: [.authorization: header])
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="arbiter""#)
        }
    }

    @Test("a forged API key with a real prefix but wrong secret is refused")
    func forgedAPIKey() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let admin = try await dependencies.makeUser("admin@example.com", role: .admin)
            let token = try await client.token(for: admin)
            let key = try #require(try await client.send(.post, "/api/v1/api-keys", token: token, json: #"{"name":"ci"}"#).json["key"] as? String)
            let forged = String(key.dropLast(3)) + (key.hasSuffix("aaa") ? "bbb" : "aaa")
            #expect(try await client.send(.get, "/api/v1/me", token: forged).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/me", token: key).status == .ok)
        }
    }
}

@Suite("Attacks on authorization")
struct AuthorizationAttackTests {
    @Test("path tricks never reach a protected route without credentials", arguments: [
        "/api/v1/users/", "//api/v1/users", "/api/v1//users", "/api/v1/./users", "/api/v1/../v1/users", "/API/V1/USERS",
        "/api/v1/%75sers", "/api/v1/users%2F", "/api/v1/users;x", "/api/v1/users?role=admin", "/api/v1/users#x", "/healthz/../api/v1/users",
        "/api/v1/audit/", "/api/v1/secrets/", "/api/v1/api-keys/",
    ])
    func pathTricks(path: String) async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            _ = try await dependencies.makeUser("admin@example.com", role: .admin)
            let response = try await client.send(.get, path)
            #expect([401, 404, 405].contains(Int(response.status.code)), "\(path) answered \(response.status)")
            #expect(!response.text.contains("admin@example.com"))
        }
    }

    @Test("a developer cannot reach admin routes, nor create users, keys or secrets")
    func developerEscalation() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let developer = try await dependencies.makeUser("dev@example.com", role: .developer)
            let token = try await client.token(for: developer)
            let attempts: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/v1/users", nil), (.post, "/api/v1/users", #"{"email":"x@example.com","password":"correct horse battery","role":"admin"}"#),
                (.patch, "/api/v1/users/\(developer.id)", #"{"role":"admin"}"#), (.post, "/api/v1/api-keys", #"{"name":"k","role":"admin"}"#),
                (.get, "/api/v1/api-keys", nil), (.put, "/api/v1/secrets/x", #"{"value":"v"}"#), (.get, "/api/v1/audit", nil),
            ]
            for (method, path, body) in attempts {
                let response = try await client.send(method, path, token: token, json: body)
                #expect(response.status == .forbidden, "\(method) \(path) answered \(response.status)")
            }
            #expect(try await dependencies.identities.member(userID: developer.id, organizationID: developer.organizationID)?.role == .developer)
        }
    }

    @Test("an admin cannot change their own role; another admin can")
    func selfRoleChange() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let first = try await dependencies.makeUser("first@example.com", role: .admin)
            let second = try await dependencies.makeUser("second@example.com", role: .admin)
            let token = try await client.token(for: first)
            let own = try await client.send(.patch, "/api/v1/users/\(first.id)", token: token, json: #"{"role":"viewer"}"#)
            #expect(own.status == .forbidden)
            let other = try await client.send(.patch, "/api/v1/users/\(second.id)", token: token, json: #"{"role":"maintainer"}"#)
            #expect(other.status == .ok)
            #expect(try other.json["role"] as? String == "maintainer")
        }
    }

    @Test("an admin API key cannot manage users, keys or secrets")
    func serviceAccountEscalation() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let admin = try await dependencies.makeUser("admin@example.com", role: .admin)
            let token = try await client.token(for: admin)
            let key = try #require(try await client.send(.post, "/api/v1/api-keys", token: token, json: #"{"name":"ci","role":"admin"}"#).json["key"] as? String)
            #expect(try await client.send(.post, "/api/v1/api-keys", token: key, json: #"{"name":"more"}"#).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/users", token: key).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/secrets", token: key).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/audit", token: key).status == .ok)
        }
    }

    @Test("nothing of another organization can be read, changed or deleted by id", arguments: TestBackend.available)
    func crossTenant(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@acme.test", role: .admin, organization: "acme")
            let eve = try await dependencies.makeUser("eve@globex.test", role: .admin, organization: "globex")
            let bob = try await dependencies.makeUser("bob@acme.test", role: .viewer, organization: "acme")
            let aliceToken = try await client.token(for: alice)
            let eveToken = try await client.token(for: eve)
            let key = try await client.send(.post, "/api/v1/api-keys", token: aliceToken, json: #"{"name":"acme-ci"}"#).json
            let keyID = try #require(key["id"] as? String)
            #expect(try await client.send(.put, "/api/v1/secrets/shared", token: aliceToken, json: #"{"value":"acme-only"}"#).status == .created)

            #expect(try await client.send(.delete, "/api/v1/api-keys/\(keyID)", token: eveToken).status == .notFound)
            #expect(try await client.send(.patch, "/api/v1/users/\(bob.id)", token: eveToken, json: #"{"role":"admin"}"#).status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/secrets/shared", token: eveToken).status == .notFound)
            let eveKeys = try await client.send(.get, "/api/v1/api-keys", token: eveToken)
            #expect(!eveKeys.text.contains(keyID))
            let eveUsers = try await client.send(.get, "/api/v1/users", token: eveToken)
            #expect(!eveUsers.text.contains("acme.test"))
            let eveSecrets = try await client.send(.get, "/api/v1/secrets", token: eveToken)
            #expect(!eveSecrets.text.contains("shared"))
            let eveAudit = try await client.send(.get, "/api/v1/audit?limit=100", token: eveToken)
            #expect(!eveAudit.text.contains(alice.id) && !eveAudit.text.contains(keyID))
            // Still there for their owners.
            #expect(try await client.send(.get, "/api/v1/secrets", token: aliceToken).text.contains("shared"))
            #expect(try await dependencies.identities.member(userID: bob.id, organizationID: bob.organizationID)?.role == .viewer)
        }
    }

    @Test("every route declares its access; public routes are exactly the published list; an undeclared route is refused")
    func declarations() async throws {
        try await withTestDatabase(.sqlite) { database, _ in
            try await Migrator(database: database).migrate()
            let dependencies = try await testDependencies(database)
            let api = buildRouter(dependencies: dependencies)
            let registered = Set(api.router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            let declared = Set(api.routes.map { "\($0.method.rawValue) \($0.path)" })
            #expect(registered == declared, "routes without a declaration: \(registered.subtracting(declared).sorted())")
            let publicRoutes = Set(api.routes.filter { $0.access == .public }.map { "\($0.method.rawValue) \($0.path)" })
            #expect(publicRoutes == PublicRoutes.all)
            // A route slipped in straight through the router, bypassing the declaration, is denied.
            api.router.get("/api/v1/sneaky") { _, _ in "should never be seen" }
            try await Application(router: api.router, logger: testLogger()).test(.router) { client in
                let response = try await client.send(.get, "/api/v1/sneaky")
                #expect(response.status == .forbidden)
                #expect(!response.text.contains("should never be seen"))
            }
            await dependencies.shutdown()
        }
    }
}

@Suite("Browser sessions")
struct CookieSessionTests {
    struct BrowserSession {
        let cookies: String
        let csrf: String
    }

    func signIn(_ client: any TestClientProtocol, _ user: TestUser) async throws -> BrowserSession {
        let response = try await client.send(
            .post, "/api/v1/auth/login", json: #"{"email":"\#(user.email)","password":"\#(user.password)","session":"cookie"}"#)
        #expect(response.status == .ok)
        let setCookies = response.headers[values: .setCookie]
        #expect(setCookies.count == 3)
        for cookie in setCookies {
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("HttpOnly") == !cookie.hasPrefix("arbiter_csrf="))
            #expect(!cookie.contains("Secure"))  // Plain HTTP here; Secure comes with TLS.
        }
        #expect(try response.json["access_token"] == nil)
        let csrf = try #require(try response.json["csrf_token"] as? String)
        let pairs = setCookies.compactMap { $0.split(separator: ";").first.map(String.init) }
        return BrowserSession(cookies: pairs.joined(separator: "; "), csrf: csrf)
    }

    @Test("a cookie session reads freely, and writes only with the CSRF token from its own origin")
    func csrf() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let admin = try await dependencies.makeUser("admin@example.com", role: .admin)
            let session = try await signIn(client, admin)
            let cookie: HTTPFields = [.cookie: session.cookies]
            #expect(try await client.send(.get, "/api/v1/me", headers: cookie).status == .ok)

            var noToken = cookie
            noToken[.origin] = "http://localhost"
            #expect(try await client.send(.post, "/api/v1/api-keys", json: #"{"name":"k"}"#, headers: noToken).status == .forbidden)

            var wrongToken = noToken
            wrongToken[HTTPField.Name("X-CSRF-Token")!] = "not-the-token"
            #expect(try await client.send(.post, "/api/v1/api-keys", json: #"{"name":"k"}"#, headers: wrongToken).status == .forbidden)

            var foreign = cookie
            foreign[HTTPField.Name("X-CSRF-Token")!] = session.csrf
            foreign[.origin] = "https://evil.example.com"
            let refused = try await client.send(.post, "/api/v1/api-keys", json: #"{"name":"k"}"#, headers: foreign)
            #expect(refused.status == .forbidden)
            #expect(try refused.json["type"] as? String == "urn:arbiter:problem:csrf")

            var noOrigin = cookie
            noOrigin[HTTPField.Name("X-CSRF-Token")!] = session.csrf
            #expect(try await client.send(.post, "/api/v1/api-keys", json: #"{"name":"k"}"#, headers: noOrigin).status == .forbidden)

            var good = noOrigin
            good[.origin] = "http://localhost"
            let created = try await client.send(.post, "/api/v1/api-keys", json: #"{"name":"k"}"#, headers: good)
            #expect(created.status == .created)
            #expect(try await dependencies.apiKeys.list(organizationID: admin.organizationID).count == 1)
        }
    }

    @Test("a cookie session is refreshed with the CSRF token and ended by logout, which clears the cookies")
    func cookieRefreshAndLogout() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let user = try await dependencies.makeUser("viewer@example.com", role: .viewer)
            let session = try await signIn(client, user)
            let base: HTTPFields = [.cookie: session.cookies]
            #expect(try await client.send(.post, "/api/v1/auth/refresh", headers: base).status == .forbidden)
            var proper = base
            proper[HTTPField.Name("X-CSRF-Token")!] = session.csrf
            proper[.origin] = "http://localhost"
            let refreshed = try await client.send(.post, "/api/v1/auth/refresh", headers: proper)
            #expect(refreshed.status == .ok)
            #expect(refreshed.headers[values: .setCookie].count == 3)
            let newCookies = refreshed.headers[values: .setCookie].compactMap { $0.split(separator: ";").first.map(String.init) }.joined(separator: "; ")
            var logout: HTTPFields = [.cookie: newCookies, .origin: "http://localhost"]
            logout[HTTPField.Name("X-CSRF-Token")!] = try #require(try refreshed.json["csrf_token"] as? String)
            let ended = try await client.send(.post, "/api/v1/auth/logout", headers: logout)
            #expect(ended.status == .noContent)
            #expect(ended.headers[values: .setCookie].allSatisfy { $0.contains("Max-Age=0") })
        }
    }

    @Test("bearer clients need no CSRF token")
    func bearerUnaffected() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let token = try await client.token(for: try await dependencies.makeUser("admin@example.com", role: .admin))
            #expect(try await client.send(.post, "/api/v1/api-keys", token: token, json: #"{"name":"k"}"#).status == .created)
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}
