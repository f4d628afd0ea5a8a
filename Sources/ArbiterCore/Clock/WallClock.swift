import Foundation
import Synchronization

/// The source of "now" for everything that records or compares wall-clock time.
///
/// Logic that tests must control takes a `WallClock` instead of calling `Date()`.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The operating system's clock.
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> Date { Date() }
}

/// A clock that only moves when told to; for tests that run days of time in milliseconds.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    /// Creates a clock stopped at `start`.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward (or backward, with a negative interval).
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

extension Date {
    /// Milliseconds since 1970 (to the nearest), the portable time representation both databases store.
    public var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// Creates a date from milliseconds since 1970.
    public init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(unixMilliseconds) / 1000)
    }
}
