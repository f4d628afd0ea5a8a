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

@Suite("Hardening")
struct HardeningTests {
    @Test("security headers are on every response, errors included")
    func securityHeaders() async throws {
        try await withTestApplication(.sqlite) { client, _ in
            for (method, path) in [(HTTPRequest.Method.get, "/healthz"), (.get, "/nope"), (.get, "/api/v1/me"), (.delete, "/healthz")] {
                let response = try await client.send(method, path)
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.strictTransportSecurity] == nil)
            }
        }
    }

    @Test("HSTS is sent when a trusted proxy says the client used TLS, and only then")
    func hsts() async throws {
        try await withTestApplication(.sqlite, settings: testSettings { $0.trustForwardedHeaders = true }) { client, _ in
            let secure = try await client.send(.get, "/healthz", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(secure.headers[.strictTransportSecurity]?.contains("max-age=") == true)
        }
        try await withTestApplication(.sqlite) { client, _ in
            let untrusted = try await client.send(.get, "/healthz", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(untrusted.headers[.strictTransportSecurity] == nil)
        }
    }

    @Test("input reflected into an error is escaped", arguments: ["/<script>alert(1)</script>", "/x?q=<img src=x onerror=alert(1)>", "/%3Cscript%3E"])
    func reflectedInput(path: String) async throws {
        try await withTestApplication(.sqlite) { client, _ in
            let response = try await client.send(.get, path)
            #expect(response.status == .notFound)
            #expect(!response.text.contains("<script"))
            #expect(!response.text.contains("<img"))
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("SQL injection payloads in every string input are inert", arguments: TestBackend.available)
    func sqlInjection(backend: TestBackend) async throws {
        let payloads = [
            "' OR '1'='1", "'; DROP TABLE users; --", "\" OR \"\"=\"", "admin'--", "1; DELETE FROM audit_log", "' UNION SELECT password_hash FROM users --",
            "%27%20OR%201%3D1", "\\'; SELECT pg_sleep(3); --", "${jndi:ldap://x}", "<script>",
        ]
        try await withTestApplication(backend) { client, dependencies in
            let admin = try await dependencies.makeUser("admin@example.com", role: .admin)
            let token = try await client.token(for: admin)
            func json(_ value: String) -> String {
                String(decoding: try! JSONEncoder().encode(value), as: UTF8.self)
            }
            for payload in payloads {
                let encoded = payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
                let responses = [
                    try await client.send(.post, "/api/v1/auth/login", json: #"{"email":\#(json(payload)),"password":\#(json(payload))}"#),
                    try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"admin@example.com","password":\#(json(payload))}"#),
                    try await client.send(
                        .post, "/api/v1/auth/login", json: #"{"email":"admin@example.com","password":"\#(admin.password)","organization":\#(json(payload))}"#),
                    try await client.send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token":\#(json(payload))}"#),
                    try await client.send(.post, "/api/v1/users", token: token, json: #"{"email":\#(json(payload)),"password":"correct horse battery staple","role":"viewer"}"#),
                    try await client.send(.post, "/api/v1/users", token: token, json: #"{"email":"x@example.com","password":"correct horse battery staple","role":\#(json(payload))}"#),
                    try await client.send(.patch, "/api/v1/users/\(encoded)", token: token, json: #"{"role":"viewer"}"#),
                    try await client.send(.post, "/api/v1/api-keys", token: token, json: #"{"name":\#(json(payload))}"#),
                    try await client.send(.delete, "/api/v1/api-keys/\(encoded)", token: token),
                    try await client.send(.put, "/api/v1/secrets/\(encoded)", token: token, json: #"{"value":\#(json(payload))}"#),
                    try await client.send(.delete, "/api/v1/secrets/\(encoded)", token: token),
                    try await client.send(.get, "/api/v1/audit?actor=\(encoded)&action=\(encoded)", token: token),
                    try await client.send(.get, "/api/v1/audit?outcome=\(encoded)", token: token),
                    try await client.send(.get, "/api/v1/audit?since=\(encoded)", token: token),
                    try await client.send(.get, "/api/v1/audit?cursor=\(encoded)", token: token),
                    try await client.send(.get, "/api/v1/users?cursor=\(encoded)", token: token),
                ]
                for response in responses {
                    #expect(response.status.code < 500, "\(payload) caused \(response.status): \(response.text)")
                    #expect(!response.text.contains("scrypt"), "\(payload) leaked a password hash")
                    #expect(!response.text.lowercased().contains("syntax error"), "\(payload) reached SQL")
                }
            }
            // Everything is still there and intact.
            #expect(try await dependencies.identities.userCount() >= 1)
            #expect(try await client.send(.get, "/api/v1/me", token: token).status == .ok)
            #expect(try await dependencies.audit.verify().isEmpty)
        }
    }

    @Test("bodies over the limit get 413, nesting past 32 levels gets 400")
    func bodyLimits() async throws {
        try await withTestApplication(.sqlite, settings: testSettings { $0.maxBodySize = 4096 }) { client, dependencies in
            let big = #"{"email":"a@example.com","password":""# + String(repeating: "x", count: 8000) + #""}"#
            let tooBig = try await client.send(.post, "/api/v1/auth/login", json: big)
            #expect(tooBig.status == .contentTooLarge)
            #expect(try tooBig.json["limit_bytes"] as? Int == 4096)
            let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
            let nested = try await client.send(.post, "/api/v1/auth/login", json: deep)
            #expect(nested.status == .badRequest)
            #expect((try nested.json["detail"] as? String)?.contains("deeper than 32") == true)
        }
    }

    @Test("each route class has its budget: 429 with Retry-After and RateLimit headers, counted per caller and per address")
    func rateLimits() async throws {
        let settings = testSettings {
            $0.rateLimits.read = RateLimitPolicy(limit: 3, window: .seconds(60))
            $0.rateLimits.auth = RateLimitPolicy(limit: 2, window: .seconds(60))
        }
        try await withTestApplication(.sqlite, settings: settings) { client, dependencies in
            let user = try await dependencies.makeUser("viewer@example.com", role: .viewer)
            let token = try await client.token(for: user)  // One auth request spent.
            var statuses: [UInt] = []
            var last: TestResponse?
            for _ in 0..<4 {
                let response = try await client.send(.get, "/api/v1/me", token: token)
                statuses.append(UInt(response.status.code))
                last = response
            }
            #expect(statuses == [200, 200, 200, 429])
            let refused = try #require(last)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(refused.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(refused.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            #expect(Int(refused.headers[HTTPField.Name("RateLimit-Reset")!] ?? "") != nil)
            #expect(try refused.json["type"] as? String == "urn:arbiter:problem:rate-limited")
            // Probes are never limited.
            for _ in 0..<5 { #expect(try await client.send(.get, "/healthz").status == .ok) }
            // Sign-in has its own, smaller budget per address.
            _ = try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"viewer@example.com","password":"\#(user.password)"}"#)
            #expect(try await client.send(.post, "/api/v1/auth/login", json: #"{"email":"viewer@example.com","password":"\#(user.password)"}"#).status == .tooManyRequests)
        }
    }

    @Test("CORS stays closed without an allow-list, and opens only to listed origins")
    func cors() async throws {
        try await withTestApplication(.sqlite) { client, _ in
            let response = try await client.send(.get, "/healthz", headers: [.origin: "https://app.example.com"])
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
        try await withTestApplication(.sqlite, settings: testSettings { $0.allowedOrigins = ["https://app.example.com"] }) { client, _ in
            let preflight = try await client.send(
                .options, "/api/v1/me", headers: [.origin: "https://app.example.com", .accessControlRequestMethod: "GET"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example.com")
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let allowed = try await client.send(.get, "/healthz", headers: [.origin: "https://app.example.com"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example.com")
            let other = try await client.send(.get, "/healthz", headers: [.origin: "https://evil.example.com"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test("the audit API pages, filters and refuses bad parameters; its entries carry request ids")
    func auditAPI() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let admin = try await dependencies.makeUser("admin@example.com", role: .admin)
            let token = try await client.token(for: admin)
            for index in 0..<5 {
                _ = try await client.send(.post, "/api/v1/api-keys", token: token, json: #"{"name":"k\#(index)"}"#, headers: [.requestID: "req-\(index)"])
            }
            let page = try await client.send(.get, "/api/v1/audit?action=api_key.create&limit=2", token: token).json
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items.first?["request_id"] as? String == "req-4")
            let cursor = try #require(page["next_cursor"] as? String)
            let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let next = try await client.send(.get, "/api/v1/audit?action=api_key.create&limit=2&cursor=\(encoded)", token: token).json
            #expect((next["items"] as? [[String: Any]])?.first?["request_id"] as? String == "req-2")
            for bad in ["limit=101", "limit=0", "limit=x", "outcome=maybe", "since=yesterday", "cursor=bm90LWEtY3Vyc29y"] {
                #expect(try await client.send(.get, "/api/v1/audit?\(bad)", token: token).status == .badRequest, "\(bad)")
            }
        }
    }
}

@Suite("No secrets in the source")
struct HardCodedSecretTests {
    @Test("the source tree holds no private keys, cloud keys, tokens or hard-coded passwords")
    func scan() throws {
        let root = ArbiterProcess.repositoryRoot
        let patterns = [
            #"-----BEGIN [A-Z ]*PRIVATE KEY-----"#, #"AKIA[0-9A-Z]{16}"#, #"ghp_[A-Za-z0-9]{36}"#, #"sk-[A-Za-z0-9]{32,}"#,
            #"xox[abp]-[A-Za-z0-9-]{10,}"#, #"(?i)(password|passwd|secret|api_?key)\s*[:=]\s*"[^"\s$\\(]{8,}""#,
            #"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"#,
        ].map { try! NSRegularExpression(pattern: $0) }
        var findings: [String] = []
        for folder in ["Sources", "scripts", "Package.swift", "README.md", "docs"] {
            let url = root.appendingPathComponent(folder)
            let files: [URL]
            if url.pathExtension.isEmpty, let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) {
                files = enumerator.compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath }
            } else {
                files = [url]
            }
            for file in files {
                guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
                for pattern in patterns {
                    for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                        findings.append("\(file.lastPathComponent): \((text as NSString).substring(with: match.range))")
                    }
                }
            }
        }
        #expect(findings.isEmpty, "possible hard-coded secrets: \(findings)")
    }
}
