import ArbiterCore

/// Whether the store can serve requests: the database answers and its schema is current.
public struct StoreReadiness: Equatable, Sendable {
    /// Why the store is not ready, in words safe to show anyone.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        case unreachable
        case migrationsPending([Int])
        case schemaMismatch

        public var description: String {
            switch self {
            case .unreachable:
                "the database is unreachable"
            case .migrationsPending(let versions):
                "migrations pending: \(versions.map(String.init).joined(separator: ", ")); run `arbiter migrate up`"
            case .schemaMismatch:
                "the database schema does not match this binary; see the server log"
            }
        }
    }

    /// `nil` when ready.
    public let problem: Problem?
    /// The full reason for the log, which may name hosts, users or paths; `nil` when ready.
    public let internalReason: String?

    public var isReady: Bool { problem == nil }

    public static let ready = StoreReadiness(problem: nil, internalReason: nil)

    /// Pings the database and compares its migrations with this binary's, giving up after `timeout`.
    public static func check(database: any SQLDatabase, migrator: Migrator, timeout: Duration) async -> StoreReadiness {
        do {
            let pending = try await withTimeout(timeout) {
                try await database.ping()
                return try await migrator.pendingVersions()
            }
            return pending.isEmpty ? .ready : StoreReadiness(problem: .migrationsPending(pending), internalReason: nil)
        } catch is TimeoutError {
            return StoreReadiness(problem: .unreachable, internalReason: "the database did not answer within \(timeout)")
        } catch let error as StoreError where error.code == .migration {
            return StoreReadiness(problem: .schemaMismatch, internalReason: error.message)
        } catch {
            return StoreReadiness(problem: .unreachable, internalReason: "\(error)")
        }
    }
}
