import ArbiterCore

/// Whether the store can serve requests: the database answers and its schema is current.
public struct StoreReadiness: Equatable, Sendable {
    /// `true` when the database answered and no migration is pending or mismatched.
    public let isReady: Bool
    /// Why the store is not ready; `nil` when it is.
    public let reason: String?

    public static let ready = StoreReadiness(isReady: true, reason: nil)

    /// Pings the database and compares its migrations with this binary's, giving up after `timeout`.
    public static func check(database: any SQLDatabase, migrator: Migrator, timeout: Duration) async -> StoreReadiness {
        do {
            let pending = try await withTimeout(timeout) {
                try await database.ping()
                return try await migrator.pendingVersions()
            }
            if pending.isEmpty { return .ready }
            let list = pending.map(String.init).joined(separator: ", ")
            return StoreReadiness(isReady: false, reason: "migrations pending: \(list); run `arbiter migrate up`")
        } catch is TimeoutError {
            return StoreReadiness(isReady: false, reason: "the database did not answer within \(timeout)")
        } catch let error as StoreError {
            return StoreReadiness(isReady: false, reason: error.message)
        } catch {
            return StoreReadiness(isReady: false, reason: "the database check failed")
        }
    }
}
