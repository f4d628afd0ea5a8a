import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Logging
import Synchronization

/// Sign-in, token refresh, sign-out and recognising the caller of a request.
public final class AuthService: Sendable {
    let identities: IdentityStore
    let sessions: SessionStore
    let apiKeys: APIKeyStore
    let audit: AuditLog
    let limiter: any RateLimiter
    let tokens: TokenService
    let credentials: Credentials
    let settings: SecuritySettings
    let clock: any WallClock
    /// What the database said about a session or an API key a moment ago: checked on every request, looked up at
    /// most once per ``RecentChecks/lifetime``.
    private let recent = RecentChecks()

    public init(
        identities: IdentityStore, sessions: SessionStore, apiKeys: APIKeyStore, audit: AuditLog, limiter: any RateLimiter,
        tokens: TokenService, credentials: Credentials, settings: SecuritySettings, clock: any WallClock
    ) {
        self.clock = clock
        self.identities = identities
        self.sessions = sessions
        self.apiKeys = apiKeys
        self.audit = audit
        self.limiter = limiter
        self.tokens = tokens
        self.credentials = credentials
        self.settings = settings
    }

    /// Tokens handed to a client that signed in or refreshed.
    public struct Session: Sendable {
        public let accessToken: String
        public let refreshToken: String
        public let expiresIn: Int
        public let member: Member
        public let sessionID: String
    }

    static func invalidCredentials() -> Problem {
        Problem(
            .unauthorized, slug: "invalid-credentials", title: "Invalid credentials",
            detail: "The e-mail address or the password is wrong.")
    }

    /// Signs a person in. Unknown addresses, wrong passwords and disabled accounts get the same answer in about the
    /// same time; too many failures for an address or from a client lock both out for a while.
    public func login(
        email rawEmail: String, password: String, organization: String?, origin: AuditOrigin, clientBucket: String
    ) async throws -> Session {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.utf8.count <= 254, password.utf8.count <= PasswordPolicy.maximumLength else { throw Self.invalidCredentials() }
        let accountBucket = "login-fail:account:\(email)"
        let addressBucket = "login-fail:address:\(clientBucket)"
        // Count the attempt before checking the password, so parallel guesses cannot all slip past the limit while
        // the first ones are still being hashed; a right password takes its count back.
        let decisions = try await limiter.hit([accountBucket, addressBucket], policy: settings.loginLockout)
        if let refused = decisions.filter({ !$0.allowed }).max(by: { $0.retryAfterSeconds < $1.retryAfterSeconds }) {
            try await audit.record(
                AuditEvent(
                    .auth, action: "auth.login", actor: "anonymous", organizationID: nil, outcome: .denied,
                    details: ["email": email, "reason": "locked out"], origin: origin))
            throw Problem(
                .tooManyRequests, slug: "login-locked", title: "Too many failed sign-ins",
                detail: "Too many failed sign-ins for this account or from this address. Try again in \(refused.retryAfterSeconds) seconds.",
                headers: [.retryAfter: String(refused.retryAfterSeconds)])
        }
        let candidate = try await identities.loginCandidate(email: email)
        let passwordMatches = try await credentials.verifyPassword(password, hash: candidate?.0.passwordHash)
        guard let (user, memberships) = candidate, passwordMatches, !user.disabled, !memberships.isEmpty else {
            try await audit.record(
                AuditEvent(
                    .auth, action: "auth.login", actor: candidate.map { "user:\($0.0.id)" } ?? "anonymous",
                    organizationID: candidate?.1.first?.organizationID, outcome: .failure, details: ["email": email], origin: origin))
            throw Self.invalidCredentials()
        }
        try await limiter.refund([addressBucket], policy: settings.loginLockout)
        try await limiter.reset(accountBucket)
        let member: Member
        if let organization {
            guard let chosen = memberships.first(where: { $0.organizationName == organization || $0.organizationID == organization }) else {
                throw Problem(
                    .forbidden, slug: "not-a-member", title: "Not a member",
                    detail: "You are not a member of \(organization). Your organizations: \(memberships.map(\.organizationName).joined(separator: ", ")).")
            }
            member = chosen
        } else if memberships.count == 1 {
            member = memberships[0]
        } else {
            throw Problem.badRequest(
                "You belong to several organizations; say which with \"organization\": one of \(memberships.map(\.organizationName).joined(separator: ", ")).")
        }
        if credentials.needsRehash(user.passwordHash) {
            try await identities.replacePasswordHash(userID: user.id, with: try await credentials.hashPassword(password))
        }
        let refreshToken = Credentials.newRefreshToken()
        let organizationID = member.organizationID
        let sessionID = try await sessions.start(
            userID: user.id, organizationID: organizationID, tokenHash: Credentials.fingerprint(refreshToken),
            ttl: settings.refreshTokenTTL,
            audit: { [userID = user.id] familyID in
                AuditEvent(
                    .auth, action: "auth.login", actor: "user:\(userID)", organizationID: organizationID, target: "session:\(familyID)",
                    origin: origin)
            })
        return Session(
            accessToken: try await tokens.issue(for: member, sessionID: sessionID), refreshToken: refreshToken,
            expiresIn: Int(tokens.accessTokenTTL.components.seconds), member: member, sessionID: sessionID)
    }

    /// Spends a refresh token for a new pair. The role comes from the membership as it is now, so a changed role
    /// takes effect at the next refresh; a removed member's session ends.
    public func refresh(_ refreshToken: String, origin: AuditOrigin) async throws -> Session {
        guard refreshToken.hasPrefix("art_"), refreshToken.utf8.count < 128 else { throw Self.invalidRefreshToken() }
        let next = Credentials.newRefreshToken()
        let rotation = try await sessions.rotate(
            presented: Credentials.fingerprint(refreshToken), next: Credentials.fingerprint(next), ttl: settings.refreshTokenTTL,
            origin: origin)
        switch rotation {
        case .invalid, .reused, .ended:
            throw Self.invalidRefreshToken()
        case .rotated(let userID, let organizationID, let familyID):
            guard let member = try await identities.member(userID: userID, organizationID: organizationID), !member.disabled else {
                throw Self.invalidRefreshToken()
            }
            return Session(
                accessToken: try await tokens.issue(for: member, sessionID: familyID), refreshToken: next,
                expiresIn: Int(tokens.accessTokenTTL.components.seconds), member: member, sessionID: familyID)
        }
    }

    static func invalidRefreshToken() -> Problem {
        Problem(
            .unauthorized, slug: "invalid-refresh-token", title: "Invalid refresh token",
            detail: "The refresh token is unknown, expired, revoked or already used. Sign in again.")
    }

    /// Ends the caller's session: its refresh tokens stop working at once, its access tokens when they expire.
    public func logout(_ principal: Principal, origin: AuditOrigin) async throws {
        guard let sessionID = principal.sessionID else {
            throw Problem.badRequest("API keys have no session to end; revoke the key instead.")
        }
        try await sessions.revokeFamily(
            sessionID,
            audit: AuditEvent(
                .auth, action: "auth.logout", actor: "user:\(principal.id)", organizationID: principal.organizationID,
                target: "session:\(sessionID)", origin: origin))
        recent.forget("session:\(sessionID)")
    }

    /// The principal behind a bearer token (access token or API key) or an access-token cookie.
    ///
    /// - Returns: `nil` when the request carries no credentials.
    /// - Throws: ``TokenService/Rejection`` when it carries credentials that are not valid.
    public func authenticate(authorization: String?, accessCookie: @autoclosure () -> String?) async throws -> Principal? {
        if let authorization {
            guard let credential = Self.bearerCredential(authorization) else {
                throw TokenService.Rejection(description: "Authorization is not a Bearer credential")
            }
            if credential.hasPrefix("arb_") { return try await authenticateAPIKey(credential) }
            return try await current(try await tokens.verify(credential, method: .bearerToken).0)
        }
        if let accessCookie = accessCookie() {
            return try await current(try await tokens.verify(accessCookie, method: .cookie).0)
        }
        return nil
    }

    /// The principal of a valid token as things stand now: its session must not have ended, and its member must
    /// still belong to the organization, enabled, with a role no lower than the token's (a lower one wins).
    ///
    /// A signed token alone would stay good for its whole lifetime after a sign-out or a demotion.
    private func current(_ principal: Principal) async throws -> Principal {
        guard let sessionID = principal.sessionID else { throw TokenService.Rejection(description: "token without a session") }
        let now = clock.now()
        let role: Role?
        if let known = recent.lookup("session:\(sessionID)", at: now) {
            role = known
        } else {
            role = try await identities.database.read { executor -> Role? in
                guard
                    let row = try await executor.first(
                        """
                        SELECT m.role, u.disabled,
                            EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = \(sessionID) AND t.revoked_at IS NULL
                                AND t.user_id = \(principal.id)) AS live
                        FROM memberships m JOIN users u ON u.id = m.user_id
                        WHERE m.user_id = \(principal.id) AND m.organization_id = \(principal.organizationID)
                        """),
                    try row.decode("live", as: Bool.self), try !row.decode("disabled", as: Bool.self)
                else { return nil }
                return Role(rawValue: try row.decode("role"))
            }
            recent.remember("session:\(sessionID)", role, at: now)
        }
        guard let role else { throw TokenService.Rejection(description: "session ended, or membership removed or disabled") }
        return Principal(
            id: principal.id, name: principal.name, organizationID: principal.organizationID, role: min(role, principal.role),
            kind: principal.kind, method: principal.method, sessionID: sessionID)
    }

    /// The credential of `Bearer <credential>` (scheme in any case, surrounding spaces ignored), or `nil`.
    ///
    /// Byte-level on purpose: this runs on every authenticated request.
    static func bearerCredential(_ header: String) -> String? {
        var bytes = Substring(header).utf8[...]
        while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        let scheme = Self.bearerScheme
        guard bytes.count > scheme.count + 1,
            zip(bytes.prefix(scheme.count), scheme).allSatisfy({ ($0 | 0x20) == $1 }),
            bytes.dropFirst(scheme.count).first == UInt8(ascii: " ")
        else { return nil }
        var credential = bytes.dropFirst(scheme.count + 1)
        while credential.first == UInt8(ascii: " ") { credential = credential.dropFirst() }
        while credential.last == UInt8(ascii: " ") { credential = credential.dropLast() }
        guard !credential.isEmpty, !credential.contains(UInt8(ascii: " ")) else { return nil }
        return String(Substring(credential))
    }

    /// The scheme name, lower-case, as bytes: made once, not on every request.
    private static let bearerScheme = Array("bearer".utf8)

    private func authenticateAPIKey(_ presented: String) async throws -> Principal {
        guard let prefix = Credentials.apiKeyPrefix(presented), let (key, hash) = try await apiKeys.find(prefix: prefix) else {
            throw TokenService.Rejection(description: "unknown API key")
        }
        guard constantTimeEquals(Array(Credentials.fingerprint(presented).utf8), Array(hash.utf8)) else {
            throw TokenService.Rejection(description: "API key secret does not match")
        }
        let now = clock.now()
        guard key.isActive(at: now) else { throw TokenService.Rejection(description: "API key revoked or expired") }
        // A key acts with no more rights than its creator has now: demoting or removing the person demotes or
        // disables their keys too.
        let creatorRole: Role?
        if let known = recent.lookup("creator:\(key.id)", at: now) {
            creatorRole = known
        } else {
            let creator = try await identities.member(userID: key.createdBy, organizationID: key.organizationID)
            creatorRole = creator.flatMap { $0.disabled ? nil : $0.role }
            recent.remember("creator:\(key.id)", creatorRole, at: now)
        }
        guard let creatorRole else { throw TokenService.Rejection(description: "the key's creator is no longer a member") }
        try await apiKeys.markUsed(id: key.id)
        return Principal(
            id: key.id, name: key.name, organizationID: key.organizationID, role: min(key.role, creatorRole), kind: .serviceAccount,
            method: .apiKey)
    }
}

/// Recent answers about sessions and key creators, kept for a few seconds so a busy client costs one lookup per
/// few seconds rather than one per request.
final class RecentChecks: Sendable {
    /// How long an answer is reused: the longest a sign-out or demotion takes to reach a replica.
    static let lifetime: TimeInterval = 5
    static let capacity = 20_000
    private let entries = Mutex<[String: (role: Role?, checkedAt: Date)]>([:])

    /// `.some(role)` (which may be `nil`: "no access") when a fresh answer is known; `nil` when it must be looked up.
    func lookup(_ key: String, at now: Date) -> Role?? {
        entries.withLock { entries in
            guard let entry = entries[key], now.timeIntervalSince(entry.checkedAt) < Self.lifetime else { return nil }
            return .some(entry.role)
        }
    }

    func remember(_ key: String, _ role: Role?, at now: Date) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (role, now)
        }
    }

    func forget(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
