import ArbiterCore
import Crypto

/// One numbered schema change, written once per backend.
///
/// Each statement runs separately (neither driver accepts several statements in one call), and all of a
/// migration's statements run in one transaction together with its `schema_migrations` record.
public struct Migration: Sendable {
    /// Position in the sequence; applied in ascending order, never reused.
    public let version: Int
    /// Short snake_case description, shown by `arbiter migrate status`.
    public let name: String
    let sqlite: [String]
    let postgres: [String]

    public init(version: Int, name: String, sqlite: [String], postgres: [String]) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgres = postgres
    }

    /// The statements to run on `dialect`.
    public func statements(for dialect: SQLDialect) -> [String] {
        switch dialect {
        case .sqlite: sqlite
        case .postgres: postgres
        }
    }

    /// SHA-256 of the statements for `dialect`; recorded when applied and compared on every start.
    public func checksum(for dialect: SQLDialect) -> String {
        SHA256.hexDigest(of: statements(for: dialect).joined(separator: ";\n"))
    }
}

extension Migration {
    /// Every migration this binary knows, in order.
    public static let all: [Migration] = [
        .createInstance,
        .createIdentity,
        .createAuditLog,
        .createSecretsAndLimits,
        .createDatabaseRoles,
        .createReviews,
        .createAIGateway,
        .createOntology,
        .createOntologyProposals,
        .createOntologyOverrides,
        .createOntologyLocks,
        .createIdempotencyKeys,
        .createOntologyLockFunction,
        .createOntologySearchIndex,
    ]
}
