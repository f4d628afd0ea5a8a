import ArbiterCore
import Foundation

/// A stored secret without its value: values never leave the store through the API.
public struct SecretInfo: Equatable, Sendable {
    public let name: String
    public let keyID: String
    public let createdBy: String
    public let createdAt: Date
    public let updatedAt: Date
}

/// Encrypted secrets per organization. Values go in and out only as ciphertext; sealing and opening happen in
/// ``SecretCipher``.
public struct SecretStore: Sendable {
    let database: any SQLDatabase
    let audit: AuditLog
    let clock: any WallClock

    public init(database: any SQLDatabase, audit: AuditLog, clock: any WallClock) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    /// Stores or replaces a secret; returns `true` when it was new.
    @discardableResult
    public func put(organizationID: String, name: String, ciphertext: String, keyID: String, by actor: Actor) async throws -> Bool {
        let now = clock.now()
        return try await database.transaction { executor in
            let existed = try await executor.first(
                "SELECT name FROM secrets WHERE organization_id = \(organizationID) AND name = \(name)") != nil
            try await executor.query(
                """
                INSERT INTO secrets (organization_id, name, key_id, ciphertext, created_by, created_at, updated_at)
                VALUES (\(organizationID), \(name), \(keyID), \(ciphertext), \(actor.reference), \(now), \(now))
                ON CONFLICT (organization_id, name) DO UPDATE SET key_id = excluded.key_id, ciphertext = excluded.ciphertext,
                    updated_at = excluded.updated_at
                """)
            try await audit.append(
                AuditEvent(
                    .admin, action: existed ? "secret.update" : "secret.create", actor: actor.reference, organizationID: organizationID,
                    target: "secret:\(name)", origin: actor.origin),
                on: executor)
            return !existed
        }
    }

    /// The organization's secrets, by name, without values.
    public func list(organizationID: String) async throws -> [SecretInfo] {
        try await database.read { executor in
            try await executor.query(
                "SELECT name, key_id, created_by, created_at, updated_at FROM secrets WHERE organization_id = \(organizationID) ORDER BY name LIMIT 1000"
            ).map { row in
                SecretInfo(
                    name: try row.decode("name"), keyID: try row.decode("key_id"), createdBy: try row.decode("created_by"),
                    createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
            }
        }
    }

    /// The ciphertext of one secret, for the features that use it; `nil` when there is none.
    public func ciphertext(organizationID: String, name: String) async throws -> String? {
        try await database.read { executor in
            try await executor.first("SELECT ciphertext FROM secrets WHERE organization_id = \(organizationID) AND name = \(name)")?
                .decode("ciphertext")
        }
    }

    /// Deletes a secret; `false` when there was none.
    public func delete(organizationID: String, name: String, by actor: Actor) async throws -> Bool {
        try await database.transaction { executor in
            let deleted = try await executor.query(
                "DELETE FROM secrets WHERE organization_id = \(organizationID) AND name = \(name) RETURNING name")
            guard !deleted.isEmpty else { return false }
            try await audit.append(
                AuditEvent(
                    .admin, action: "secret.delete", actor: actor.reference, organizationID: organizationID, target: "secret:\(name)",
                    origin: actor.origin),
                on: executor)
            return true
        }
    }

    /// How many records a re-sealing changed.
    public struct Resealed: Equatable, Sendable {
        public let secrets: Int
        public let systemKeys: Int
    }

    /// Re-seals every secret and system key with `transform` (old ciphertext in, new ciphertext and key id out) in
    /// one transaction, so a failure leaves every record as it was.
    public func reseal(
        by actor: Actor,
        _ transform: @Sendable (_ organizationID: String, _ name: String, _ ciphertext: String) throws -> (ciphertext: String, keyID: String)?
    ) async throws -> Resealed {
        let now = clock.now()
        return try await database.transaction { executor in
            var changed = 0
            var changedKeys = 0
            for row in try await executor.query("SELECT organization_id, name, ciphertext FROM secrets ORDER BY organization_id, name") {
                let organizationID: String = try row.decode("organization_id")
                let name: String = try row.decode("name")
                guard let (ciphertext, keyID) = try transform(organizationID, name, try row.decode("ciphertext")) else { continue }
                try await executor.query(
                    """
                    UPDATE secrets SET ciphertext = \(ciphertext), key_id = \(keyID), updated_at = \(now)
                    WHERE organization_id = \(organizationID) AND name = \(name)
                    """)
                changed += 1
            }
            // Arbiter's own sealed keys move to the new master key in the same transaction.
            for row in try await executor.query("SELECT name, ciphertext FROM system_keys ORDER BY name") {
                let name: String = try row.decode("name")
                guard let (ciphertext, keyID) = try transform(SystemKeys.organization, name, try row.decode("ciphertext")) else { continue }
                try await executor.query("UPDATE system_keys SET ciphertext = \(ciphertext), key_id = \(keyID) WHERE name = \(name)")
                changedKeys += 1
            }
            try await audit.append(
                AuditEvent(
                    .system, action: "secrets.rotate_key", actor: actor.reference, organizationID: nil,
                    details: ["secrets": String(changed), "system_keys": String(changedKeys)], origin: actor.origin),
                on: executor)
            return Resealed(secrets: changed, systemKeys: changedKeys)
        }
    }
}
