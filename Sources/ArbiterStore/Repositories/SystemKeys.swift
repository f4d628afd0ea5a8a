import ArbiterCore
import Foundation

/// Keys Arbiter makes for itself and keeps in the database sealed under the master key, so the database alone
/// never holds them in the clear. The first one is the audit chain's HMAC key.
public enum SystemKeys {
    /// The pseudo-organization system keys are sealed for.
    public static let organization = "system"
    static let auditChain = "audit-chain"

    /// The audit chain, keyed with the installation's audit key, created on first use.
    ///
    /// - Throws: ``StoreError/Code/rejected`` when the key is sealed under a different master key than `cipher`'s.
    public static func auditChain(database: any SQLDatabase, cipher: SecretCipher, clock: any WallClock) async throws -> AuditChain {
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let sealed = try cipher.seal(Data(fresh).base64EncodedString(), organizationID: organization, name: auditChain)
        let now = clock.now()
        // Several replicas may start at once: the first insert wins, and everyone uses the winner.
        let ciphertext = try await database.transaction { executor -> String in
            try await executor.query(
                """
                INSERT INTO system_keys (name, key_id, ciphertext, created_at) VALUES (\(auditChain), \(cipher.keyID), \(sealed), \(now))
                ON CONFLICT (name) DO NOTHING
                """)
            guard let row = try await executor.first("SELECT ciphertext FROM system_keys WHERE name = \(auditChain)") else {
                throw StoreError(.notFound, "system_keys has no audit key after inserting one")
            }
            return try row.decode("ciphertext")
        }
        return try open(ciphertext, cipher: cipher)
    }

    /// The audit chain from the stored key, read on `executor`; `nil` when no key has been made yet.
    public static func storedAuditChain(on executor: any SQLExecutor, cipher: SecretCipher) async throws -> AuditChain? {
        guard let row = try await executor.first("SELECT ciphertext FROM system_keys WHERE name = \(auditChain)") else { return nil }
        return try open(try row.decode("ciphertext"), cipher: cipher)
    }

    private static func open(_ ciphertext: String, cipher: SecretCipher) throws -> AuditChain {
        do {
            let opened = try cipher.open(ciphertext, organizationID: organization, name: auditChain)
            guard let key = Data(base64Encoded: opened), key.count == 32 else {
                throw StoreError(.backend, "the stored audit key is malformed")
            }
            return AuditChain(key: Array(key))
        } catch let error as SecretCipher.Failure {
            throw StoreError(
                .rejected,
                "the audit log's key cannot be opened with the configured master key (\(error.description)); configure the master key this installation uses")
        }
    }
}
