import ArbiterCore
import Crypto
import Foundation
import JWTKit
import Synchronization

/// Issues and verifies access tokens: HS256 JWTs with issuer, audience and strict time claims.
///
/// The algorithm is pinned: a token whose header names anything but HS256 is refused before its signature is
/// looked at, so `alg: none` and algorithm-confusion tokens never reach the verifier.
public struct TokenService: Sendable {
    public static let issuer = "arbiter"
    public static let audience = "arbiter-api"
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    public static let leeway: TimeInterval = 30

    private let keys: JWTKeyCollection
    private let csrfKey: SymmetricKey
    /// Tokens already verified, with what they said: a token is checked in full once, then only for expiry.
    /// Tokens cannot be revoked before they expire, so remembering a verdict changes no answer.
    private let verified = VerifiedTokens()
    private let clock: any WallClock
    public let accessTokenTTL: Duration

    /// Claims of an Arbiter access token.
    struct Claims: JWTPayload, Equatable {
        var sub: SubjectClaim
        var iss: IssuerClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        /// Organization the token acts in.
        var org: String
        var role: String
        /// The user's e-mail address.
        var name: String
        /// The session (refresh-token family) the token belongs to.
        var sid: String

        // Time claims are checked by TokenService against its injected clock, with leeway.
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    /// Creates the service; `secret` is any configured secret, stretched to a 256-bit HMAC key with HKDF.
    public init(secret: [UInt8], accessTokenTTL: Duration, clock: any WallClock) async {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Data("arbiter-jwt-hs256".utf8), outputByteCount: 32)
        self.csrfKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Data("arbiter-csrf".utf8), outputByteCount: 32)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: key), digestAlgorithm: .sha256)
        self.keys = keys
        self.clock = clock
        self.accessTokenTTL = accessTokenTTL
    }

    /// A signed access token for `member` in session `sessionID`.
    public func issue(for member: Member, sessionID: String) async throws -> String {
        // Whole seconds, as NumericDate is usually written.
        let now = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
        let claims = Claims(
            sub: SubjectClaim(value: member.userID), iss: IssuerClaim(value: Self.issuer), aud: AudienceClaim(value: [Self.audience]),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(accessTokenTTL.components.seconds))),
            nbf: NotBeforeClaim(value: now), iat: IssuedAtClaim(value: now), jti: IDClaim(value: UUID().uuidString),
            org: member.organizationID, role: member.role.rawValue, name: member.email, sid: sessionID)
        return try await keys.sign(claims)
    }

    /// Why a token was refused; the HTTP answer is always the same `401`, the reason goes to the log.
    public struct Rejection: Error, CustomStringConvertible {
        public let description: String
    }

    /// The principal a token speaks for, and its session, or a ``Rejection``.
    public func verify(_ token: String, method: Principal.Method) async throws -> (Principal, sessionID: String) {
        guard token.utf8.count <= 4096 else { throw Rejection(description: "token too long") }
        let now = clock.now()
        if let known = verified.lookup(token), known.expires.addingTimeInterval(Self.leeway) > now, known.notBefore <= now {
            let principal = known.principal
            return (
                Principal(
                    id: principal.id, name: principal.name, organizationID: principal.organizationID, role: principal.role,
                    kind: principal.kind, method: method, sessionID: principal.sessionID),
                known.principal.sessionID ?? ""
            )
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.decodeSegment(parts[0]),
            let fields = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
        else { throw Rejection(description: "not a JWT") }
        guard fields["alg"] as? String == "HS256" else { throw Rejection(description: "algorithm \(fields["alg"] ?? "none") is not HS256") }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw Rejection(description: "signature or payload invalid: \(error)")
        }
        guard claims.iss.value == Self.issuer else { throw Rejection(description: "issuer \(claims.iss.value)") }
        guard claims.aud.value.contains(Self.audience) else { throw Rejection(description: "audience \(claims.aud.value)") }
        guard claims.exp.value.addingTimeInterval(Self.leeway) > now else { throw Rejection(description: "expired") }
        guard claims.nbf.value.addingTimeInterval(-Self.leeway) <= now else { throw Rejection(description: "not valid yet") }
        guard claims.iat.value.addingTimeInterval(-Self.leeway) <= now else { throw Rejection(description: "issued in the future") }
        guard claims.exp.value.timeIntervalSince(claims.iat.value) <= 3600 + Self.leeway else {
            throw Rejection(description: "lifetime longer than any Arbiter issues")
        }
        guard let role = Role(rawValue: claims.role) else { throw Rejection(description: "unknown role") }
        let principal = Principal(
            id: claims.sub.value, name: claims.name, organizationID: claims.org, role: role, kind: .user, method: method,
            sessionID: claims.sid)
        verified.remember(
            token, VerifiedTokens.Entry(principal: principal, expires: claims.exp.value, notBefore: claims.nbf.value.addingTimeInterval(-Self.leeway)))
        return (principal, claims.sid)
    }

    /// The CSRF token for a cookie session: an HMAC of the session id, so it cannot be forged or moved to another
    /// session, and needs no storage.
    public func csrfToken(sessionID: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("csrf|\(sessionID)".utf8), using: csrfKey)
        return Data(mac).base64URLEncoded()
    }

    static func decodeSegment(_ segment: Substring) -> Data? {
        var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }
}

/// A bounded memory of verified tokens.
final class VerifiedTokens: Sendable {
    struct Entry: Sendable {
        let principal: Principal
        let expires: Date
        let notBefore: Date
    }

    /// Enough for every token in use on a busy server; when full it starts over rather than tracking age.
    static let capacity = 10_000
    private let entries = Mutex<[String: Entry]>([:])

    func lookup(_ token: String) -> Entry? { entries.withLock { $0[token] } }

    func remember(_ token: String, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = entry
        }
    }
}

extension Data {
    /// Unpadded base64url, as used in tokens and cookies.
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
