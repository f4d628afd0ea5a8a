import Synchronization

/// Thrown when a limiter's wait queue is full: the caller should go elsewhere rather than pile up.
public struct QueueFullError: Error, Sendable, Equatable {
    public let limit: Int
    public let queueLimit: Int

    public init(limit: Int, queueLimit: Int) {
        self.limit = limit
        self.queueLimit = queueLimit
    }
}

/// At most `limit` holders at once, at most `queueLimit` waiting (first come, first served). A waiter that is
/// cancelled leaves the queue; a permit is never lost or handed out twice.
public final class ConcurrencyLimiter: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inUse = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        /// Callers that decided to wait but are not in `waiters` yet; they count against the queue limit.
        var pending = 0
        /// Waiters cancelled before their continuation was stored.
        var cancelledEarly: Set<UInt64> = []
    }

    public let limit: Int
    public let queueLimit: Int
    private let state = Mutex(State())

    public init(limit: Int, queueLimit: Int) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
    }

    public var inUse: Int { state.withLock { $0.inUse } }
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Takes a permit, waiting in line when none is free; throws ``QueueFullError`` when the line is full and
    /// `CancellationError` when cancelled while waiting.
    public func acquire() async throws {
        let id: UInt64? = try state.withLock { state in
            if state.inUse < limit && state.waiters.isEmpty {
                state.inUse += 1
                return nil
            }
            guard state.waiters.count + state.pending < queueLimit else { throw QueueFullError(limit: limit, queueLimit: queueLimit) }
            state.pending += 1
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Decision { case cancelled, granted, queued }
                let decision = state.withLock { state -> Decision in
                    state.pending -= 1
                    if state.cancelledEarly.remove(id) != nil { return .cancelled }
                    // A permit may have been released between deciding to wait and getting here.
                    if state.inUse < limit && state.waiters.isEmpty {
                        state.inUse += 1
                        return .granted
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch decision {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .granted: continuation.resume()
                case .queued: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: index) }
                state.cancelledEarly.insert(id)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
        // The permit arrived; if cancellation won a tie after resumption, the caller still holds it and releases it.
        state.withLock { _ = $0.cancelledEarly.remove(id) }
    }

    /// Returns a permit, handing it straight to the longest waiter when there is one.
    public func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.inUse = max(0, state.inUse - 1)
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }

    /// Runs `body` holding a permit.
    public func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
