import ArbiterCore
import ArbiterStore
import Foundation

/// Ontology locks as leases in the database, so every replica sees the same locks. Acquiring, and checking before a
/// write, take the same per-branch transaction lock (PostgreSQL advisory lock, taken by the `ontology_acquire_lock`
/// function in one round trip; SQLite has one writer), so a lock and a write that overlap never both go through; fencing tokens come from a per-organization counter and only grow.
public struct LockRepository: Sendable {
    let database: any SQLDatabase
    let ids: any IDGenerator
    let clock: any WallClock

    public init(database: any SQLDatabase, ids: any IDGenerator, clock: any WallClock) {
        self.database = database
        self.ids = ids
        self.clock = clock
    }

    /// Serializes lock changes and writes on one branch of one organization for the rest of the transaction.
    static func serialize(_ organizationID: String, _ branch: String, on executor: any SQLExecutor) async throws {
        guard executor.dialect == .postgres else { return }
        try await executor.query("SELECT pg_advisory_xact_lock(hashtextextended(\("ontology-lock:\(organizationID):\(branch)"), 0)) AS locked")
    }

    /// Grants a lease on `scope`, or throws ``LockError/conflict(_:)`` naming a live overlapping one.
    public func acquire(
        organizationID: String, scope: LockScope, kind: LockKind, holder: String, ttl: Duration, reason: String?
    ) async throws -> Lock {
        let now = clock.now()
        let expires = now.addingTimeInterval(InMemoryLockManager.seconds(ttl))
        let id = ids.next()
        let (resourceKind, resourceID) = Self.columns(scope)
        if database.dialect == .postgres {
            // One round trip: the function takes the branch's advisory lock and decides (migration 13).
            let row = try await database.autocommit { executor in
                try await executor.query(
                    prepared: AcquireStatement.self,
                    binds: [
                        organizationID.sqlValue, id.sqlValue, scope.branch.sqlValue, resourceKind.sqlValue, resourceID.sqlValue,
                        kind.rawValue.sqlValue, holder.sqlValue, reason.sqlValue, now.sqlValue, expires.sqlValue,
                    ]
                ).first
            }
            guard let row else { throw StoreError(.rejected, "the lock function returned nothing") }
            let lock = try Self.lock(row)
            guard lock.id == id else { throw LockError.conflict(lock) }
            return lock
        }
        return try await database.transaction { executor in
            if let blocking = try await Self.live(organizationID, branch: scope.branch, now: now, on: executor).first(where: { $0.scope.overlaps(scope) }) {
                throw LockError.conflict(blocking)
            }
            guard
                let token: Int64 = try await executor.first(
                    """
                    INSERT INTO ontology_lock_tokens (organization_id, last) VALUES (\(organizationID), 1)
                    ON CONFLICT (organization_id) DO UPDATE SET last = ontology_lock_tokens.last + 1 RETURNING last
                    """)?.decode("last")
            else { throw StoreError(.rejected, "no fencing token") }
            try await executor.query(
                """
                INSERT INTO ontology_locks (organization_id, id, branch, resource_kind, resource_id, kind, holder, fencing_token, reason, progress,
                    eta, acquired_at, expires_at)
                VALUES (\(organizationID), \(id), \(scope.branch), \(resourceKind), \(resourceID), \(kind.rawValue), \(holder), \(token), \(reason),
                    NULL, NULL, \(now), \(expires))
                """)
            return Lock(
                id: id, scope: scope, kind: kind, holder: holder, fencingToken: token, acquiredAt: now, expiresAt: expires, progress: nil,
                estimatedCompletion: nil, reason: reason)
        }
    }

    /// Extends a live lease and records progress; only its holder, with its token, may.
    public func heartbeat(
        organizationID: String, id: String, holder: String, fencingToken: Int64, ttl: Duration, progress: Int?, estimatedCompletion: Date?
    ) async throws -> Lock {
        let now = clock.now()
        let expires = now.addingTimeInterval(InMemoryLockManager.seconds(ttl))
        return try await database.transaction { executor in
            guard
                let row = try await executor.first(
                    """
                    UPDATE ontology_locks SET expires_at = \(expires), progress = COALESCE(\(progress.map { min(100, max(0, $0)) }), progress),
                        eta = COALESCE(\(estimatedCompletion), eta)
                    WHERE organization_id = \(organizationID) AND id = \(id) AND holder = \(holder) AND fencing_token = \(fencingToken)
                      AND expires_at > \(now)
                    RETURNING *
                    """)
            else {
                if let current = try await executor.first(
                    "SELECT * FROM ontology_locks WHERE organization_id = \(organizationID) AND id = \(id) AND expires_at > \(now)")
                {
                    throw LockError.fenced(id: id, presented: fencingToken, current: try current.decode("fencing_token"))
                }
                throw LockError.notHeld(id)
            }
            return try Self.lock(row)
        }
    }

    /// Releases a lease its holder still holds; `false` when it was already gone.
    public func release(organizationID: String, id: String, holder: String, fencingToken: Int64) async throws -> Bool {
        try await database.autocommit { executor in
            if executor.dialect == .postgres {
                return try await !executor.query(
                    prepared: ReleaseStatement.self, binds: [organizationID.sqlValue, id.sqlValue, holder.sqlValue, fencingToken.sqlValue]
                ).isEmpty
            }
            return try await !executor.query(
                """
                DELETE FROM ontology_locks WHERE organization_id = \(organizationID) AND id = \(id) AND holder = \(holder)
                  AND fencing_token = \(fencingToken) RETURNING id
                """
            ).isEmpty
        }
    }

    /// Removes a lease whoever holds it.
    public func forceRelease(organizationID: String, id: String) async throws -> Lock? {
        try await database.autocommit { executor in
            try await executor.first("DELETE FROM ontology_locks WHERE organization_id = \(organizationID) AND id = \(id) RETURNING *").map(Self.lock)
        }
    }

    /// Live leases, oldest first; on one branch when given.
    public func locks(organizationID: String, branch: String?) async throws -> [Lock] {
        let now = clock.now()
        return try await database.read { executor in
            try await executor.query(
                """
                SELECT * FROM ontology_locks WHERE organization_id = \(organizationID) AND expires_at > \(now)
                  AND (CAST(\(branch) AS TEXT) IS NULL OR branch = \(branch))
                ORDER BY fencing_token LIMIT 1000
                """
            ).map(Self.lock)
        }
    }

    /// Inside a write's transaction: the live lease that blocks writing `key` on `branch`, unless it is the writer's
    /// own (`fencingToken`). A presented token that is not live any more is refused as ``LockError/notHeld(_:)``.
    public func check(
        organizationID: String, key: ResourceKey, branch: String, fencingToken: Int64?, on executor: any SQLExecutor
    ) async throws -> Lock? {
        try await Self.serialize(organizationID, branch, on: executor)
        let live = try await Self.live(organizationID, branch: branch, now: clock.now(), on: executor)
        if let fencingToken, !live.contains(where: { $0.fencingToken == fencingToken && $0.scope.covers(key, on: branch) }) {
            throw LockError.notHeld("token \(fencingToken)")
        }
        return live.first { $0.scope.covers(key, on: branch) && $0.fencingToken != fencingToken }
    }

    /// The same check outside a write, for reads that want to say what is locked.
    public func blocking(organizationID: String, key: ResourceKey, branch: String) async throws -> Lock? {
        try await locks(organizationID: organizationID, branch: branch).first { $0.scope.covers(key, on: branch) }
    }

    static func live(_ organizationID: String, branch: String, now: Date, on executor: any SQLExecutor) async throws -> [Lock] {
        try await executor.query(
            """
            SELECT * FROM ontology_locks WHERE organization_id = \(organizationID) AND branch = \(branch) AND expires_at > \(now)
            ORDER BY fencing_token
            """
        ).map(lock)
    }

    /// The two statements on the lock's hot path, kept prepared on each PostgreSQL connection.
    enum AcquireStatement: PreparedSQL {
        static let name = "arbiter_ontology_acquire_lock"
        static let sql = "SELECT * FROM ontology_acquire_lock($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    }

    enum ReleaseStatement: PreparedSQL {
        static let name = "arbiter_ontology_release_lock"
        static let sql = "DELETE FROM ontology_locks WHERE organization_id = $1 AND id = $2 AND holder = $3 AND fencing_token = $4 RETURNING id"
    }

    static func columns(_ scope: LockScope) -> (String?, String?) {
        switch scope {
        case .branch: (nil, nil)
        case .resourceType(_, let kind): (kind.rawValue, nil)
        case .resource(_, let key): (key.kind.rawValue, key.id)
        }
    }

    static func lock(_ row: SQLRow) throws -> Lock {
        let branch: String = try row.decode("branch")
        let kind = row["resource_kind"].flatMap { String(sqlValue: $0) }.flatMap(ResourceKind.init(rawValue:))
        let id = row["resource_id"].flatMap { String(sqlValue: $0) }
        let scope: LockScope =
            switch (kind, id) {
            case (let kind?, let id?): .resource(branch: branch, key: ResourceKey(kind, id))
            case (let kind?, nil): .resourceType(branch: branch, kind: kind)
            default: .branch(branch)
            }
        return Lock(
            id: try row.decode("id"), scope: scope, kind: LockKind(rawValue: try row.decode("kind")) ?? .manual, holder: try row.decode("holder"),
            fencingToken: try row.decode("fencing_token"), acquiredAt: try row.decode("acquired_at"), expiresAt: try row.decode("expires_at"),
            progress: row["progress"].flatMap { Int(sqlValue: $0) }, estimatedCompletion: row["eta"].flatMap { Date(sqlValue: $0) },
            reason: row["reason"].flatMap { String(sqlValue: $0) })
    }
}
