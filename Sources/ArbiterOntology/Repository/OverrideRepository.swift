import ArbiterCore
import ArbiterStore
import Foundation

/// An emergency override of a protected branch's governance.
public struct Override: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending, approved, rejected, used
    }

    public let id: String
    public let branch: String
    public let justification: String
    public let requestedBy: String
    public let status: Status
    public let decidedBy: String?
    public let decidedAt: Date?
    public let expiresAt: Date?
    public let usedAt: Date?
    public let usedCommit: String?
    public let createdAt: Date

    /// Approved, unused and not expired at `now`.
    public func isUsable(at now: Date) -> Bool { status == .approved && usedAt == nil && (expiresAt.map { $0 > now } ?? false) }
}

/// Overrides per organization. Deciding and using are single atomic updates, so an override is approved once and
/// used at most once even when requests race.
public struct OverrideRepository: Sendable {
    public static let minimumJustification = 20
    public static let defaultLifetime: TimeInterval = 24 * 3600

    let database: any SQLDatabase
    let ids: any IDGenerator
    let clock: any WallClock

    public init(database: any SQLDatabase, ids: any IDGenerator, clock: any WallClock) {
        self.database = database
        self.ids = ids
        self.clock = clock
    }

    public func request(organizationID: String, branch: String, justification: String, by actor: String) async throws -> Override {
        let now = clock.now()
        let override = Override(
            id: ids.next(), branch: branch, justification: justification, requestedBy: actor, status: .pending, decidedBy: nil, decidedAt: nil,
            expiresAt: nil, usedAt: nil, usedCommit: nil, createdAt: now)
        try await database.transaction { executor in
            try await executor.query(
                """
                INSERT INTO ontology_overrides (organization_id, id, branch, justification, requested_by, status, created_at)
                VALUES (\(organizationID), \(override.id), \(branch), \(justification), \(actor), 'pending', \(now))
                """)
        }
        return override
    }

    public func find(organizationID: String, id: String) async throws -> Override? {
        try await database.read { executor in
            try await executor.first("SELECT * FROM ontology_overrides WHERE organization_id = \(organizationID) AND id = \(id)").map(Self.override)
        }
    }

    public func list(organizationID: String, limit: Int) async throws -> [Override] {
        try await database.read { executor in
            try await executor.query(
                "SELECT * FROM ontology_overrides WHERE organization_id = \(organizationID) ORDER BY created_at DESC, id DESC LIMIT \(min(max(limit, 1), 100))"
            ).map(Self.override)
        }
    }

    /// Approves or rejects a pending override, unless `decider` requested it. Returns the override after the
    /// decision, or `nil` when it was not pending (or the decider is its requester).
    public func decide(organizationID: String, id: String, approve: Bool, by decider: String, lifetime: TimeInterval = defaultLifetime) async throws -> Override? {
        let now = clock.now()
        let expires = now.addingTimeInterval(lifetime)
        return try await database.transaction { executor in
            try await executor.first(
                """
                UPDATE ontology_overrides SET status = \(approve ? "approved" : "rejected"), decided_by = \(decider), decided_at = \(now),
                    expires_at = \(approve ? expires : nil)
                WHERE organization_id = \(organizationID) AND id = \(id) AND status = 'pending' AND requested_by <> \(decider)
                RETURNING *
                """
            ).map(Self.override)
        }
    }

    /// Spends an approved, unexpired override on `branch` for its requester; `nil` when it cannot be used.
    public func use(organizationID: String, id: String, branch: String, by actor: String, commit: String, on executor: any SQLExecutor) async throws -> Override? {
        let now = clock.now()
        return try await executor.first(
            """
            UPDATE ontology_overrides SET status = 'used', used_at = \(now), used_commit = \(commit)
            WHERE organization_id = \(organizationID) AND id = \(id) AND status = 'approved' AND used_at IS NULL AND expires_at > \(now)
              AND branch = \(branch) AND requested_by = \(actor)
            RETURNING *
            """
        ).map(Self.override)
    }

    /// Spends the override in its own transaction.
    public func use(organizationID: String, id: String, branch: String, by actor: String, commit: String) async throws -> Override? {
        try await database.transaction { executor in
            try await use(organizationID: organizationID, id: id, branch: branch, by: actor, commit: commit, on: executor)
        }
    }

    static func override(_ row: SQLRow) throws -> Override {
        Override(
            id: try row.decode("id"), branch: try row.decode("branch"), justification: try row.decode("justification"),
            requestedBy: try row.decode("requested_by"), status: Override.Status(rawValue: try row.decode("status")) ?? .pending,
            decidedBy: row["decided_by"].flatMap { String(sqlValue: $0) }, decidedAt: row["decided_at"].flatMap { Date(sqlValue: $0) },
            expiresAt: row["expires_at"].flatMap { Date(sqlValue: $0) }, usedAt: row["used_at"].flatMap { Date(sqlValue: $0) },
            usedCommit: row["used_commit"].flatMap { String(sqlValue: $0) }, createdAt: try row.decode("created_at"))
    }
}
