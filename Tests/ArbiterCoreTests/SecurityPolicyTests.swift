import ArbiterCore
import Foundation
import Testing

@Suite("Access policy")
struct AccessPolicyTests {
    func principal(_ role: Role, kind: Principal.Kind = .user) -> Principal {
        Principal(id: "p", name: "p", organizationID: "o", role: role, kind: kind, method: kind == .user ? .bearerToken : .apiKey)
    }

    @Test("roles are ordered viewer < developer < reviewer < maintainer < admin")
    func roleOrder() {
        #expect(Role.allCases == Role.allCases.sorted())
        #expect(Role.viewer < .developer && Role.developer < .reviewer && Role.reviewer < .maintainer && Role.maintainer < .admin)
    }

    @Test("each role holds exactly the permissions at or below it", arguments: Role.allCases)
    func rolesAgainstPermissions(role: Role) {
        for permission in Permission.allCases {
            let decision = AccessPolicy.decide(principal(role), permission)
            if role >= permission.minimumRole {
                #expect(decision == .allow, "\(role) should hold \(permission)")
            } else {
                guard case .forbidden = decision else {
                    Issue.record("\(role) should not hold \(permission), got \(decision)")
                    continue
                }
            }
        }
    }

    @Test("no principal is unauthenticated, never forbidden or allowed")
    func anonymous() {
        for permission in Permission.allCases {
            #expect(AccessPolicy.decide(nil, permission) == .unauthenticated)
        }
    }

    @Test("an API key, even an admin one, cannot manage people, keys or secrets")
    func serviceAccounts() {
        let key = principal(.admin, kind: .serviceAccount)
        #expect(AccessPolicy.decide(key, .readVersion) == .allow)
        #expect(AccessPolicy.decide(key, .readAudit) == .allow)
        for permission in [Permission.manageUsers, .manageAPIKeys, .manageSecrets] {
            guard case .forbidden(let reason) = AccessPolicy.decide(key, permission) else {
                Issue.record("an API key got \(permission)")
                continue
            }
            #expect(reason.contains("sign in as a person"))
        }
    }
}

@Suite("Rate-limit arithmetic")
struct RateLimitArithmeticTests {
    @Test("policies parse from N/window with s, m and h", arguments: [
        ("60/60s", 60, 60), ("10/1m", 10, 60), ("1000/1h", 1000, 3600), ("5/15m", 5, 900), ("3/30", 3, 30),
    ])
    func parse(text: String, limit: Int, seconds: Int64) {
        #expect(RateLimitPolicy.parse(text) == RateLimitPolicy(limit: limit, window: .seconds(seconds)))
    }

    @Test("malformed policies are refused", arguments: ["", "60", "/60s", "0/60s", "-1/60s", "60/0s", "60/2d", "60/25h", "a/b", "60/60x"])
    func parseFailures(text: String) {
        #expect(RateLimitPolicy.parse(text) == nil)
    }

    @Test("within the limit requests pass and Remaining counts down")
    func withinLimit() {
        let policy = RateLimitPolicy(limit: 3, window: .seconds(60))
        let decisions = (1...3).map {
            RateLimitDecision.evaluate(policy: policy, currentCount: $0, previousCount: 0, elapsed: .seconds(10))
        }
        #expect(decisions.map(\.allowed) == [true, true, true])
        #expect(decisions.map(\.remaining) == [2, 1, 0])
        #expect(decisions.allSatisfy { $0.resetSeconds == 50 && $0.retryAfterSeconds == 0 })
    }

    @Test("the previous window counts in proportion to its overlap with the sliding window")
    func slidingEstimate() {
        let policy = RateLimitPolicy(limit: 10, window: .seconds(60))
        // 15 seconds into the window, 3/4 of the previous window still overlaps: 8 * 0.75 + 4 = 10 → allowed.
        #expect(RateLimitDecision.evaluate(policy: policy, currentCount: 4, previousCount: 8, elapsed: .seconds(15)).allowed)
        // One more is 11 → refused.
        let refused = RateLimitDecision.evaluate(policy: policy, currentCount: 5, previousCount: 8, elapsed: .seconds(15))
        #expect(!refused.allowed)
        // The next request (current 6) fits once 8 * (60 - t)/60 + 6 <= 10, at t = 30: 15 seconds from now.
        #expect(refused.retryAfterSeconds == 15)
    }

    @Test("when the current window alone is over the limit, the wait runs into the next window")
    func retryIntoNextWindow() {
        let policy = RateLimitPolicy(limit: 4, window: .seconds(60))
        let refused = RateLimitDecision.evaluate(policy: policy, currentCount: 6, previousCount: 0, elapsed: .seconds(50))
        #expect(!refused.allowed)
        // 10 s to the window's end, then 6 * (60 - t)/60 + 1 <= 4 at t = 30: 40 seconds in all.
        #expect(refused.retryAfterSeconds == 40)
    }

    @Test("window starts are aligned to the window length")
    func windowStart() {
        let policy = RateLimitPolicy(limit: 1, window: .seconds(60))
        #expect(RateLimitDecision.windowStart(for: Date(unixMilliseconds: 120_500), policy: policy) == 120_000)
        #expect(RateLimitDecision.windowStart(for: Date(unixMilliseconds: 179_999), policy: policy) == 120_000)
    }
}

@Suite("Passwords")
struct PasswordTests {
    let cheap = PasswordHasher(parameters: .init(logN: 10, r: 8, p: 1))

    @Test("new passwords are hashed with scrypt N=2^15, r=8, p=3, at least bcrypt cost 12's strength per OWASP")
    func productionParameters() {
        #expect(PasswordHasher().parameters == .init(logN: 15, r: 8, p: 3))
    }

    @Test("a hash verifies its password and nothing else, and never repeats")
    func roundTrip() throws {
        let first = try cheap.hash("correct horse battery staple")
        let second = try cheap.hash("correct horse battery staple")
        #expect(first != second)
        #expect(first.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(cheap.verify("correct horse battery staple", against: first))
        #expect(!cheap.verify("correct horse battery stapl", against: first))
        #expect(!cheap.verify("", against: first))
    }

    @Test("malformed or absurd stored hashes never verify", arguments: [
        "", "$scrypt$", "$bcrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "plaintext",
        "$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=8,p=1$c2hvcnQ$AAAAAAAAAAAAAAAAAAAAAA",
    ])
    func malformed(stored: String) {
        #expect(!cheap.verify("anything", against: stored))
    }

    @Test("hashes made with weaker parameters are flagged for rehashing")
    func rehash() throws {
        let weak = try cheap.hash("correct horse battery staple")
        #expect(PasswordHasher().needsRehash(weak))
        #expect(!cheap.needsRehash(weak))
    }

    @Test("the password policy explains what is wrong", arguments: [
        ("short", "at least 12"), ("aaaaaaaaaaaaaaaa", "repetitive"), ("my password is long", "common word"),
        ("alice.smith@example.com!", "e-mail"), ("xx-alice.smith-xx", "e-mail"),
    ])
    func policy(password: String, complaint: String) {
        #expect(PasswordPolicy.problem(with: password, email: "alice.smith@example.com")?.contains(complaint) == true)
    }

    @Test("a decent password passes the policy")
    func goodPassword() {
        #expect(PasswordPolicy.problem(with: "correct horse battery staple", email: "alice@example.com") == nil)
    }

    @Test("constant-time comparison still compares")
    func constantTime() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
    }
}

@Suite("Secret strength and encryption")
struct SecretCipherTests {
    let key = ConfiguredSecret("base64:" + Data((0..<32).map { UInt8($0) }).base64EncodedString())

    @Test("configured secrets are recognised as random keys or passphrases")
    func forms() {
        #expect(key.form == .randomKey && key.bytes.count == 32)
        #expect(ConfiguredSecret(String(repeating: "ab", count: 32)).form == .randomKey)
        #expect(ConfiguredSecret("a passphrase that is quite long indeed").form == .passphrase)
        #expect(ConfiguredSecret("base64:c2hvcnQ=").form == .passphrase)
    }

    @Test("weak secrets are named as weak", arguments: ["short", "changeme-changeme-changeme-changeme", String(repeating: "ab", count: 20)])
    func weak(text: String) {
        #expect(ConfiguredSecret(text).weakness != nil)
    }

    @Test("strong secrets pass")
    func strong() {
        #expect(key.weakness == nil)
        #expect(ConfiguredSecret("Tr0ub4dor&3-horse-battery-staple-violet-ocean").weakness == nil)
    }

    @Test("a sealed secret opens to the same value, and two seals of one value differ")
    func roundTrip() throws {
        let cipher = SecretCipher(masterKey: key)
        let first = try cipher.seal("sk-live-123", organizationID: "org-a", name: "openai")
        let second = try cipher.seal("sk-live-123", organizationID: "org-a", name: "openai")
        #expect(first != second)
        #expect(first.hasPrefix("v1.\(cipher.keyID)."))
        #expect(!first.contains("sk-live"))
        #expect(try cipher.open(first, organizationID: "org-a", name: "openai") == "sk-live-123")
        #expect(SecretCipher.keyID(of: first) == cipher.keyID)
    }

    @Test("a ciphertext cannot be moved to another name or organization, nor altered")
    func bound() throws {
        let cipher = SecretCipher(masterKey: key)
        let sealed = try cipher.seal("value", organizationID: "org-a", name: "openai")
        #expect(throws: SecretCipher.Failure.self) { try cipher.open(sealed, organizationID: "org-b", name: "openai") }
        #expect(throws: SecretCipher.Failure.self) { try cipher.open(sealed, organizationID: "org-a", name: "anthropic") }
        var bytes = Array(sealed.utf8)
        bytes[bytes.count - 5] = bytes[bytes.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: SecretCipher.Failure.self) { try cipher.open(String(decoding: bytes, as: UTF8.self), organizationID: "org-a", name: "openai") }
    }

    @Test("a record sealed under another master key says so")
    func otherKey() throws {
        let old = SecretCipher(masterKey: ConfiguredSecret("base64:" + Data(repeating: 9, count: 32).base64EncodedString()))
        let sealed = try old.seal("value", organizationID: "o", name: "n")
        let error = #expect(throws: SecretCipher.Failure.self) { try SecretCipher(masterKey: key).open(sealed, organizationID: "o", name: "n") }
        #expect(error?.description.contains("rotate-keys") == true)
    }

    @Test("passphrases are stretched with PBKDF2 at 600 000 rounds or more")
    func passphrase() throws {
        #expect(SecretCipher.passphraseRounds >= 600_000)
        let cipher = SecretCipher(masterKey: ConfiguredSecret("a long passphrase for the master key of arbiter"))
        let sealed = try cipher.seal("value", organizationID: "o", name: "n")
        #expect(try cipher.open(sealed, organizationID: "o", name: "n") == "value")
    }
}

@Suite("JSON depth and origins")
struct InputGuardTests {
    @Test("nesting depth is counted outside strings only")
    func depth() {
        #expect(JSONDepth.maximum(in: Array(#"{"a":[1,{"b":2}]}"#.utf8), limit: 32) == 3)
        #expect(JSONDepth.maximum(in: Array(#"{"a":"[[[[[[{{{{"}"#.utf8), limit: 32) == 1)
        #expect(JSONDepth.maximum(in: Array(#"{"a":"\"[[["}"#.utf8), limit: 32) == 1)
        #expect(JSONDepth.maximum(in: Array(String(repeating: "[", count: 10_000).utf8), limit: 32) == 33)
    }

    @Test("the server's own origin and listed origins are accepted; others are not")
    func origins() {
        let policy = OriginPolicy(allowed: ["https://app.example.com"])
        #expect(policy.accepts(origin: "http://localhost:8080", host: "localhost:8080", secure: false))
        #expect(policy.accepts(origin: "https://arbiter.example.com", host: "arbiter.example.com:443", secure: true))
        #expect(policy.accepts(origin: "https://APP.example.com/", host: "other", secure: true))
        #expect(!policy.accepts(origin: "https://evil.example.com", host: "arbiter.example.com", secure: true))
        #expect(!policy.accepts(origin: "http://arbiter.example.com", host: "arbiter.example.com", secure: true))
        #expect(!policy.accepts(origin: "null", host: "arbiter.example.com", secure: false))
        #expect(OriginPolicy.origin(ofURL: "https://a.example.com:8443/path?q=1") == "https://a.example.com:8443")
        #expect(OriginPolicy.origin(ofURL: "https://user@a.example.com/") == nil)
    }
}
