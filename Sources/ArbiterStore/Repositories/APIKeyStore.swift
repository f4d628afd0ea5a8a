import ArbiterCore
import Foundation

/// API keys per organization. The secret part is stored only as a SHA-256 hash.
public struct APIKeyStore: Sendable {
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

    /// Stores a new key.
    public func create(
        organizationID: String, name: String, prefix: String, keyHash: String, role: Role, expiresAt: Date?, by actor: Actor,
        createdBy userID: String
    ) async throws -> APIKey {
        let key = APIKey(
            id: ids.next(), organizationID: organizationID, name: name, prefix: prefix, role: role, createdBy: userID,
            createdAt: clock.now(), expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
        try await database.transaction { executor in
            try await executor.query(
                """
                INSERT INTO api_keys (id, organization_id, name, prefix, key_hash, role, created_by, created_at, expires_at)
                VALUES (\(key.id), \(organizationID), \(name), \(prefix), \(keyHash), \(role.rawValue), \(userID), \(key.createdAt),
                    \(expiresAt))
                """)
            try await audit.append(
                AuditEvent(
                    .admin, action: "api_key.create", actor: actor.reference, organizationID: organizationID, target: "api_key:\(key.id)",
                    details: ["name": name, "role": role.rawValue, "prefix": prefix], origin: actor.origin),
                on: executor)
        }
        return key
    }

    /// The organization's keys, newest first, revoked ones included.
    public func list(organizationID: String) async throws -> [APIKey] {
        try await database.read { executor in
            try await executor.query(
                "SELECT * FROM api_keys WHERE organization_id = \(organizationID) ORDER BY created_at DESC, id DESC LIMIT 100"
            ).map(Self.key)
        }
    }

    /// Revokes a key of the organization; `nil` when it has no such key.
    public func revoke(id: String, organizationID: String, by actor: Actor) async throws -> APIKey? {
        let now = clock.now()
        return try await database.transaction { executor in
            guard
                let row = try await executor.first(
                    "SELECT * FROM api_keys WHERE id = \(id) AND organization_id = \(organizationID)")
            else { return nil }
            if try row.decode("revoked_at", as: Date?.self) == nil {
                try await executor.query("UPDATE api_keys SET revoked_at = \(now) WHERE id = \(id)")
                try await audit.append(
                    AuditEvent(
                        .admin, action: "api_key.revoke", actor: actor.reference, organizationID: organizationID,
                        target: "api_key:\(id)", origin: actor.origin),
                    on: executor)
            }
            return try await executor.first("SELECT * FROM api_keys WHERE id = \(id)").map(Self.key)
        }
    }

    /// The key with `prefix` and its secret's hash, for authentication.
    public func find(prefix: String) async throws -> (APIKey, keyHash: String)? {
        try await database.read { executor in
            guard let row = try await executor.first("SELECT * FROM api_keys WHERE prefix = \(prefix)") else { return nil }
            return (try Self.key(row), try row.decode("key_hash"))
        }
    }

    /// Records that a key was used, at most once a minute per key to keep reads cheap.
    public func markUsed(id: String) async throws {
        let now = clock.now()
        let staleBefore = now.addingTimeInterval(-60)
        try await database.transaction { executor in
            try await executor.query(
                "UPDATE api_keys SET last_used_at = \(now) WHERE id = \(id) AND (last_used_at IS NULL OR last_used_at < \(staleBefore))")
        }
    }

    static func key(_ row: SQLRow) throws -> APIKey {
        APIKey(
            id: try row.decode("id"), organizationID: try row.decode("organization_id"), name: try row.decode("name"),
            prefix: try row.decode("prefix"), role: Role(rawValue: try row.decode("role")) ?? .viewer,
            createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"), expiresAt: try row.decode("expires_at"),
            lastUsedAt: try row.decode("last_used_at"), revokedAt: try row.decode("revoked_at"))
    }
}
