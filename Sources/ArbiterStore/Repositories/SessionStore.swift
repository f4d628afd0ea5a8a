import ArbiterCore
import Foundation

/// Refresh tokens, kept as SHA-256 hashes in families: each refresh spends one token and issues the next in the
/// same family; presenting a spent token again revokes the whole family.
public struct SessionStore: Sendable {
    let database: any SQLDatabase
    let audit: AuditLog
    let ids: any IDGenerator
    let clock: any WallClock

    public init(database: any SQLDatabase, audit: AuditLog, ids: any IDGenerator, clock: any WallClock) {
        self.database = database
        self.audit = audit
        self.ids = ids
        self.clock = clock
    }

    /// What became of a presented refresh token.
    public enum Rotation: Equatable, Sendable {
        /// Spent; a new token in the same family is stored for the same user and organization.
        case rotated(userID: String, organizationID: String, familyID: String)
        /// Already spent: a sign of theft. The whole family is now revoked.
        case reused(userID: String, organizationID: String, familyID: String)
        /// Unknown, expired or revoked.
        case invalid
        /// Valid, but its member has left the organization or was disabled: the family is now revoked.
        case ended
    }

    /// Stores the first token of a new family (a login) and returns the family id; `audit`, given the family id,
    /// is recorded in the same transaction.
    public func start(
        userID: String, organizationID: String, tokenHash: String, ttl: Duration,
        audit event: (@Sendable (_ familyID: String) -> AuditEvent)? = nil
    ) async throws -> String {
        let familyID = ids.next()
        let now = clock.now()
        try await database.transaction { executor in
            try await insert(executor, familyID: familyID, userID: userID, organizationID: organizationID, tokenHash: tokenHash, now: now, ttl: ttl)
            if let event { try await audit.append(event(familyID), on: executor) }
        }
        return familyID
    }

    /// Spends the token whose hash is `presented` and stores `next` in its place, in one transaction.
    public func rotate(presented: String, next: String, ttl: Duration, origin: AuditOrigin) async throws -> Rotation {
        let now = clock.now()
        return try await database.transaction { executor in
            let lock = executor.dialect == .postgres ? " FOR UPDATE" : ""
            guard
                let row = try await executor.first(
                    "SELECT * FROM refresh_tokens WHERE token_hash = \(presented)\(unsafeRaw: lock)")
            else { return .invalid }
            let familyID: String = try row.decode("family_id")
            let userID: String = try row.decode("user_id")
            let organizationID: String = try row.decode("organization_id")
            if try row.decode("revoked_at", as: Date?.self) != nil { return .invalid }
            if try row.decode("used_at", as: Date?.self) != nil {
                try await executor.query(
                    "UPDATE refresh_tokens SET revoked_at = \(now) WHERE family_id = \(familyID) AND revoked_at IS NULL")
                try await audit.append(
                    AuditEvent(
                        .auth, action: "auth.refresh_reuse", actor: "user:\(userID)", organizationID: organizationID,
                        target: "session:\(familyID)", outcome: .denied, details: ["effect": "session revoked"], origin: origin),
                    on: executor)
                return .reused(userID: userID, organizationID: organizationID, familyID: familyID)
            }
            guard try row.decode("expires_at", as: Date.self) > now else { return .invalid }
            let membership = try await executor.first(
                """
                SELECT u.disabled FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.user_id = \(userID) AND m.organization_id = \(organizationID)
                """)
            guard let membership, try !membership.decode("disabled", as: Bool.self) else {
                try await executor.query(
                    "UPDATE refresh_tokens SET revoked_at = \(now) WHERE family_id = \(familyID) AND revoked_at IS NULL")
                try await audit.append(
                    AuditEvent(
                        .auth, action: "auth.refresh", actor: "user:\(userID)", organizationID: organizationID,
                        target: "session:\(familyID)", outcome: .denied, details: ["reason": "no longer a member"], origin: origin),
                    on: executor)
                return .ended
            }
            try await executor.query("UPDATE refresh_tokens SET used_at = \(now) WHERE token_hash = \(presented)")
            try await insert(
                executor, familyID: familyID, userID: userID, organizationID: organizationID, tokenHash: next, now: now, ttl: ttl)
            try await audit.append(
                AuditEvent(
                    .auth, action: "auth.refresh", actor: "user:\(userID)", organizationID: organizationID, target: "session:\(familyID)",
                    origin: origin),
                on: executor)
            return .rotated(userID: userID, organizationID: organizationID, familyID: familyID)
        }
    }

    /// Revokes the family of the token whose hash is `tokenHash`; returns the family's owner, or `nil` when the
    /// token is unknown.
    public func revokeFamily(ofToken tokenHash: String) async throws -> (userID: String, organizationID: String, familyID: String)? {
        let now = clock.now()
        return try await database.transaction { executor in
            guard let row = try await executor.first("SELECT family_id, user_id, organization_id FROM refresh_tokens WHERE token_hash = \(tokenHash)")
            else { return nil }
            let familyID: String = try row.decode("family_id")
            try await executor.query("UPDATE refresh_tokens SET revoked_at = \(now) WHERE family_id = \(familyID) AND revoked_at IS NULL")
            return (try row.decode("user_id"), try row.decode("organization_id"), familyID)
        }
    }

    /// Revokes every token of the family `familyID`, recording `event` in the same transaction; `false` when it
    /// had none left to revoke.
    @discardableResult
    public func revokeFamily(_ familyID: String, audit event: AuditEvent? = nil) async throws -> Bool {
        let now = clock.now()
        return try await database.transaction { executor in
            let revoked = try await executor.query(
                "UPDATE refresh_tokens SET revoked_at = \(now) WHERE family_id = \(familyID) AND revoked_at IS NULL RETURNING id")
            if let event { try await audit.append(event, on: executor) }
            return !revoked.isEmpty
        }
    }

    /// The family of the token whose hash is `tokenHash`, or `nil` when it is unknown.
    public func familyID(ofToken tokenHash: String) async throws -> String? {
        try await database.read { executor in
            try await executor.first("SELECT family_id FROM refresh_tokens WHERE token_hash = \(tokenHash)")?.decode("family_id")
        }
    }

    /// Deletes tokens that expired more than a day ago; they can no longer be presented or reused.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let cutoff = clock.now().addingTimeInterval(-86_400)
        return try await database.transaction { executor in
            try await executor.query("DELETE FROM refresh_tokens WHERE expires_at < \(cutoff) RETURNING id").count
        }
    }

    private func insert(
        _ executor: any SQLExecutor, familyID: String, userID: String, organizationID: String, tokenHash: String, now: Date,
        ttl: Duration
    ) async throws {
        let expires = now.addingTimeInterval(TimeInterval(ttl.components.seconds))
        try await executor.query(
            """
            INSERT INTO refresh_tokens (id, family_id, organization_id, user_id, token_hash, issued_at, expires_at)
            VALUES (\(ids.next()), \(familyID), \(organizationID), \(userID), \(tokenHash), \(now), \(expires))
            """)
    }
}
