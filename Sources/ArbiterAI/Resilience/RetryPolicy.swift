/// When and how long to wait before calling a provider again.
public struct RetryPolicy: Sendable, Equatable {
    /// Calls in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A `Retry-After` longer than this is not waited for: the chain moves on to the next tier instead.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8), maxRetryAfter: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// One call, never retried.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before the next call after call `attempt` (1-based) failed with `error`, or `nil` when there must be
    /// no next call: the error is not retryable, the calls are used up, or the provider asked for a longer wait than
    /// ``maxRetryAfter``. A `429` with `Retry-After` waits exactly that long; otherwise the wait doubles from
    /// ``baseDelay`` up to ``maxDelay``, half of it fixed and half random ("equal jitter"), so callers that failed
    /// together do not retry together.
    public func delay(after error: ProviderError, attempt: Int, random: inout some RandomNumberGenerator) -> Duration? {
        guard error.isRetryable, attempt < maxAttempts else { return nil }
        if case .rateLimited(let retryAfter?) = error {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        let exponent = min(max(attempt - 1, 0), 30)
        let full = min(baseDelay * (1 << exponent), maxDelay)
        let nanoseconds = Self.nanoseconds(full)
        let half = nanoseconds / 2
        let jitter = half > 0 ? Int64.random(in: 0...half, using: &random) : 0
        return .nanoseconds(nanoseconds - half + jitter)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
