import ArbiterCore
import ArbiterStore
import Logging
import ServiceLifecycle

/// Housekeeping on a timer: prunes the audit log per retention, drops spent rate-limit counters, expired refresh
/// tokens, expired cached model answers and lapsed idempotency keys. Safe to run on every replica at once: each step is idempotent and locks what it changes.
public struct MaintenanceService: Service {
    let dependencies: ServerDependencies
    let interval: Duration
    let logger: Logger

    public init(dependencies: ServerDependencies, interval: Duration = .seconds(600), logger: Logger) {
        self.dependencies = dependencies
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            await runOnce()
            do {
                // Wakes at once on graceful shutdown, so it never holds up the server's exit.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }

    /// One round of every task; failures are logged and retried next round.
    public func runOnce() async {
        do {
            let pruned = try await dependencies.audit.prune(retentionDays: dependencies.settings.auditRetentionDays)
            if !pruned.isEmpty {
                logger.notice("pruned audit log", metadata: ["deleted": "\(pruned.map { "\($0.key.rawValue)=\($0.value)" }.sorted())"])
            }
            // Counters older than two of the longest windows can no longer affect a decision.
            try await dependencies.limiter.purge(olderThan: .seconds(2 * 86_400))
            try await dependencies.sessions.purgeExpired()
            try await dependencies.ai.store.purgeExpiredAnswers()
            try await dependencies.idempotency.purgeExpired()
        } catch {
            logger.warning("maintenance failed; retrying later", metadata: ["error": "\(error)"])
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task should stop: cancelled, or its service group is shutting down.
    static var isCancelledOrShuttingDown: Bool { isCancelled || isShuttingDownGracefully }
}
