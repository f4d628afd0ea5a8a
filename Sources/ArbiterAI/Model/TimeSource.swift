import Synchronization

/// Monotonic time for breakers, caches and queues; tests inject ``ManualTimeSource`` to move it at will.
public protocol TimeSource: Sendable {
    func now() -> ContinuousClock.Instant
}

/// The system's monotonic clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> ContinuousClock.Instant { .now }
}

/// Time that only moves when told to.
public final class ManualTimeSource: TimeSource {
    private let current: Mutex<ContinuousClock.Instant>

    public init(_ start: ContinuousClock.Instant = .now) {
        current = Mutex(start)
    }

    public func now() -> ContinuousClock.Instant { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
