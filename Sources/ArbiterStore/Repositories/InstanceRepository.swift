import ArbiterCore
import Foundation

/// The identity of one Arbiter installation: created on the first start, the same on every later one.
public struct InstanceInfo: Equatable, Sendable, Codable {
    public let instanceID: String
    public let createdAt: Date

    public init(instanceID: String, createdAt: Date) {
        self.instanceID = instanceID
        self.createdAt = createdAt
    }
}

/// Reads and creates the installation's identity.
public protocol InstanceRepository: Sendable {
    /// Returns the installation's identity, creating it on the first call against a new database.
    func ensureInstance() async throws -> InstanceInfo
}

/// ``InstanceRepository`` on either SQL backend.
public struct SQLInstanceRepository: InstanceRepository {
    let database: any SQLDatabase
    let ids: any IDGenerator
    let clock: any WallClock

    public init(database: any SQLDatabase, ids: any IDGenerator, clock: any WallClock) {
        self.database = database
        self.ids = ids
        self.clock = clock
    }

    public func ensureInstance() async throws -> InstanceInfo {
        // Nearly always the row exists: read it without taking the write lock.
        let existing = try await database.read { executor in
            try await executor.first("SELECT instance_id, created_at FROM arbiter_instance WHERE singleton = 1")
        }
        if let existing {
            return InstanceInfo(instanceID: try existing.decode("instance_id"), createdAt: try existing.decode("created_at"))
        }
        let candidate = InstanceInfo(instanceID: ids.next(), createdAt: clock.now())
        return try await database.transaction { executor in
            // Several replicas may start at once; the first insert wins and everyone reads the winner.
            try await executor.query(
                """
                INSERT INTO arbiter_instance (singleton, instance_id, created_at)
                VALUES (1, \(candidate.instanceID), \(candidate.createdAt))
                ON CONFLICT (singleton) DO NOTHING
                """)
            guard let row = try await executor.first("SELECT instance_id, created_at FROM arbiter_instance WHERE singleton = 1")
            else {
                throw StoreError(.notFound, "arbiter_instance has no row after inserting one")
            }
            return InstanceInfo(instanceID: try row.decode("instance_id"), createdAt: try row.decode("created_at"))
        }
    }
}
