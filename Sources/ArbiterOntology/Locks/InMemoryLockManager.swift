import ArbiterCore
import Foundation
import Synchronization

/// Why a lock operation was refused.
public enum LockError: Error, Sendable, Equatable {
    /// Another live lock overlaps the requested scope.
    case conflict(Lock)
    /// No live lock with this id (released, expired or forced).
    case notHeld(String)
    /// The lock is held, but by someone else or under another fencing token.
    case fenced(id: String, presented: Int64, current: Int64?)
}

/// Locks for one process (the embedded SQLite deployment): overlapping scopes exclude each other, locks expire
/// unless their holder sends heartbeats, and fencing tokens strictly increase across every grant.
public final class InMemoryLockManager: Sendable {
    private struct State {
        var locks: [String: Lock] = [:]
        var lastToken: Int64 = 0
    }

    private let state = Mutex(State())
    private let clock: any WallClock
    private let ids: any IDGenerator

    public init(clock: any WallClock = SystemWallClock(), ids: any IDGenerator = UUIDv7Generator()) {
        self.clock = clock
        self.ids = ids
    }

    /// Grants a lock on `scope` for `ttl`, or throws ``LockError/conflict(_:)`` naming a live overlapping lock.
    public func acquire(_ scope: LockScope, kind: LockKind, holder: String, ttl: Duration, reason: String? = nil) throws(LockError) -> Lock {
        let now = clock.now()
        return try state.withLock { (state: inout State) throws(LockError) -> Lock in
            Self.expire(&state, now: now)
            if let blocking = state.locks.values.filter({ $0.scope.overlaps(scope) }).min(by: { $0.fencingToken < $1.fencingToken }) {
                throw .conflict(blocking)
            }
            state.lastToken += 1
            let lock = Lock(
                id: ids.next(), scope: scope, kind: kind, holder: holder, fencingToken: state.lastToken, acquiredAt: now,
                expiresAt: now.addingTimeInterval(Self.seconds(ttl)), progress: nil, estimatedCompletion: nil, reason: reason)
            state.locks[lock.id] = lock
            return lock
        }
    }

    /// Extends a live lock by `ttl` from now and records progress; only its holder, with its token, may.
    public func heartbeat(
        _ id: String, holder: String, fencingToken: Int64, ttl: Duration, progress: Int? = nil, estimatedCompletion: Date? = nil
    ) throws(LockError) -> Lock {
        let now = clock.now()
        return try state.withLock { (state: inout State) throws(LockError) -> Lock in
            Self.expire(&state, now: now)
            guard var lock = state.locks[id] else { throw .notHeld(id) }
            guard lock.holder == holder, lock.fencingToken == fencingToken else {
                throw .fenced(id: id, presented: fencingToken, current: lock.fencingToken)
            }
            lock.expiresAt = now.addingTimeInterval(Self.seconds(ttl))
            if let progress { lock.progress = min(100, max(0, progress)) }
            if let estimatedCompletion { lock.estimatedCompletion = estimatedCompletion }
            state.locks[id] = lock
            return lock
        }
    }

    /// Releases a lock its holder still holds; `false` when it had already expired or been released.
    @discardableResult
    public func release(_ id: String, holder: String, fencingToken: Int64) -> Bool {
        state.withLock { state in
            guard let lock = state.locks[id], lock.holder == holder, lock.fencingToken == fencingToken else { return false }
            state.locks[id] = nil
            return true
        }
    }

    /// Removes a lock whoever holds it (an administrator's decision, audited by the caller).
    public func forceRelease(_ id: String) -> Lock? {
        state.withLock { $0.locks.removeValue(forKey: id) }
    }

    /// The live lock that blocks writing `key` on `branch`, unless the writer presents the token of a lock it holds
    /// over that resource.
    public func blocking(_ key: ResourceKey, on branch: String, fencingToken: Int64? = nil) -> Lock? {
        let now = clock.now()
        return state.withLock { state in
            Self.expire(&state, now: now)
            return state.locks.values.filter { $0.scope.covers(key, on: branch) && $0.fencingToken != fencingToken }
                .min { $0.fencingToken < $1.fencingToken }
        }
    }

    /// Whether `fencingToken` is the token of the live lock `id`: a holder checks this in the same step as its write.
    public func isCurrent(_ id: String, fencingToken: Int64) -> Bool {
        let now = clock.now()
        return state.withLock { state in
            Self.expire(&state, now: now)
            return state.locks[id]?.fencingToken == fencingToken
        }
    }

    /// Live locks, oldest first; on one branch when given.
    public func locks(on branch: String? = nil) -> [Lock] {
        let now = clock.now()
        return state.withLock { state in
            Self.expire(&state, now: now)
            return state.locks.values.filter { branch == nil || $0.scope.branch == branch }.sorted { $0.fencingToken < $1.fencingToken }
        }
    }

    private static func expire(_ state: inout State, now: Date) {
        for (id, lock) in state.locks where lock.expiresAt <= now { state.locks[id] = nil }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
