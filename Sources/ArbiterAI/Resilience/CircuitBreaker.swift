import Synchronization

/// When a breaker opens and closes.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// Consecutive failures that open it.
    public var failureThreshold: Int
    /// How long it stays open before letting trial calls through.
    public var openDuration: Duration
    /// Successes in a row, while half-open, that close it.
    public var successThreshold: Int
    /// Trial calls in flight at once while half-open.
    public var halfOpenMaxCalls: Int

    public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(60), successThreshold: Int = 3, halfOpenMaxCalls: Int = 3) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
        self.successThreshold = max(1, successThreshold)
        self.halfOpenMaxCalls = max(1, halfOpenMaxCalls)
    }
}

/// A circuit breaker: closed, it counts consecutive failures and opens at the threshold; open, it refuses calls
/// until the open duration has passed; half-open, it lets a few trial calls through, closing after enough
/// successes and opening again on any failure. The caller decides what counts as a failure.
public final class CircuitBreaker: Sendable {
    public enum State: String, Sendable {
        case closed, open
        case halfOpen = "half_open"
    }

    private struct Inner {
        var state: State = .closed
        var failures = 0
        var successes = 0
        var openedAt: ContinuousClock.Instant?
        var trialsInFlight = 0
    }

    public let policy: CircuitBreakerPolicy
    private let time: any TimeSource
    private let inner = Mutex(Inner())

    public init(policy: CircuitBreakerPolicy = .init(), time: any TimeSource = SystemTimeSource()) {
        self.policy = policy
        self.time = time
    }

    /// The state now; an open breaker whose time is up reports half-open.
    public var state: State {
        inner.withLock { inner in
            advance(&inner)
            return inner.state
        }
    }

    /// While open, the time until trial calls are let through.
    public var retryAfter: Duration? {
        inner.withLock { inner in
            advance(&inner)
            guard inner.state == .open, let openedAt = inner.openedAt else { return nil }
            return max(.zero, openedAt.advanced(by: policy.openDuration) - time.now())
        }
    }

    /// Whether a call may go ahead now. A `true` must be followed by exactly one of ``recordSuccess()``,
    /// ``recordFailure()`` or ``recordCancelled()``.
    public func tryAcquire() -> Bool {
        inner.withLock { inner in
            advance(&inner)
            switch inner.state {
            case .closed:
                return true
            case .open:
                return false
            case .halfOpen:
                guard inner.trialsInFlight < policy.halfOpenMaxCalls else { return false }
                inner.trialsInFlight += 1
                return true
            }
        }
    }

    public func recordSuccess() {
        inner.withLock { inner in
            advance(&inner)
            switch inner.state {
            case .closed:
                inner.failures = 0
            case .halfOpen:
                inner.trialsInFlight = max(0, inner.trialsInFlight - 1)
                inner.successes += 1
                if inner.successes >= policy.successThreshold { inner = Inner() }
            case .open:
                break  // a call let through before the breaker opened; it changes nothing now
            }
        }
    }

    public func recordFailure() {
        inner.withLock { inner in
            advance(&inner)
            switch inner.state {
            case .closed:
                inner.failures += 1
                if inner.failures >= policy.failureThreshold { open(&inner) }
            case .halfOpen:
                open(&inner)
            case .open:
                break
            }
        }
    }

    /// A call that was let through but abandoned: frees its trial slot and changes nothing else.
    public func recordCancelled() {
        inner.withLock { inner in
            if inner.state == .halfOpen { inner.trialsInFlight = max(0, inner.trialsInFlight - 1) }
        }
    }

    private func open(_ inner: inout Inner) {
        inner.state = .open
        inner.openedAt = time.now()
        inner.failures = 0
        inner.successes = 0
        inner.trialsInFlight = 0
    }

    private func advance(_ inner: inout Inner) {
        if inner.state == .open, let openedAt = inner.openedAt, time.now() >= openedAt.advanced(by: policy.openDuration) {
            inner.state = .halfOpen
            inner.successes = 0
            inner.trialsInFlight = 0
        }
    }
}
