import Foundation

/// A budget of requests per window, e.g. `60/60s`.
public struct RateLimitPolicy: Equatable, Sendable, CustomStringConvertible {
    public let limit: Int
    public let window: Duration

    public init(limit: Int, window: Duration) {
        precondition(limit > 0 && window > .zero, "a rate limit needs a positive limit and window")
        self.limit = limit
        self.window = window
    }

    public var description: String { "\(limit)/\(window.components.seconds)s" }

    /// Parses `N/S`, `N/Ss`, `N/Sm` or `N/Sh` (requests per window), e.g. `300/60s` or `10/1m`.
    public static func parse(_ text: String) -> RateLimitPolicy? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let limit = Int(parts[0]), limit > 0, limit <= 1_000_000 else { return nil }
        var windowText = parts[1]
        var multiplier: Int64 = 1
        switch windowText.last {
        case "s": windowText.removeLast()
        case "m": windowText.removeLast(); multiplier = 60
        case "h": windowText.removeLast(); multiplier = 3600
        default: break
        }
        guard let amount = Int64(windowText), amount > 0, amount * multiplier <= 86_400 else { return nil }
        return RateLimitPolicy(limit: limit, window: .seconds(amount * multiplier))
    }
}

/// The sliding-window estimate and the answer it gives, for one bucket.
///
/// Counts are kept per fixed window; the estimate weighs the previous window by the part of it that still
/// overlaps the sliding window ending now. This bounds memory to two counters a bucket and is what both the
/// in-process and the PostgreSQL limiter compute.
public struct RateLimitDecision: Equatable, Sendable {
    public let allowed: Bool
    public let limit: Int
    /// Requests left in the sliding window after this one.
    public let remaining: Int
    /// Seconds until the current fixed window ends and its count starts to decay (`RateLimit-Reset`).
    public let resetSeconds: Int
    /// Seconds to wait before retrying; `0` when allowed.
    public let retryAfterSeconds: Int

    /// Decides for a request that has just been counted in the current window.
    ///
    /// - Parameters:
    ///   - currentCount: requests in the current fixed window, this one included
    ///   - previousCount: requests in the fixed window before it
    ///   - elapsed: how far into the current window `now` is, from 0 to the window length
    public static func evaluate(
        policy: RateLimitPolicy, currentCount: Int, previousCount: Int, elapsed: Duration
    ) -> RateLimitDecision {
        let window = Double(policy.window.components.seconds) + Double(policy.window.components.attoseconds) / 1e18
        let into = min(max(0, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18), window)
        let overlap = (window - into) / window
        let estimate = Double(previousCount) * overlap + Double(currentCount)
        let limit = Double(policy.limit)
        let allowed = estimate <= limit
        let remaining = max(0, Int((limit - estimate).rounded(.down)))
        let untilWindowEnds = window - into
        var retryAfter = 0
        if !allowed {
            // When would one more request fit, if no other arrives? Within this window only the previous window's
            // share decays; if the current window alone is over budget, it has to decay in the next one.
            let current = Double(currentCount)
            let previous = Double(previousCount)
            let wait: Double
            if current + 1 <= limit, previous > 0 {
                wait = max(0, window * (1 - (limit - current - 1) / previous) - into)
            } else {
                wait = untilWindowEnds + window * max(0, 1 - (limit - 1) / max(current, 1))
            }
            retryAfter = max(1, Int(wait.rounded(.up)))
        }
        return RateLimitDecision(
            allowed: allowed, limit: policy.limit, remaining: remaining,
            resetSeconds: max(1, Int(untilWindowEnds.rounded(.up))), retryAfterSeconds: retryAfter)
    }

    /// The start of the fixed window containing `date`, in milliseconds since 1970.
    public static func windowStart(for date: Date, policy: RateLimitPolicy) -> Int64 {
        let windowMilliseconds = policy.window.components.seconds * 1000
        let now = date.unixMilliseconds
        return now - ((now % windowMilliseconds) + windowMilliseconds) % windowMilliseconds
    }
}
