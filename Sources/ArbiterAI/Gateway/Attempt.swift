/// What happened at one tier while answering one prompt: recorded with the review so users can see which tier
/// answered and why the others did not.
public struct Attempt: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        /// The tier answered.
        case answered
        /// An identical earlier answer was reused; nothing was called or paid.
        case cached
        /// The tier was called and failed (after its retries).
        case failed
        /// The tier was not called: breaker open, queue full, over budget, prompt too large.
        case skipped
    }

    /// 1 for the primary, 2 for the secondary, 3 for the tertiary.
    public var tier: Int
    public var provider: String
    public var model: String
    public var outcome: Outcome
    /// Why it failed or was skipped: `circuit_open`, `queue_full`, `over_budget`, `context_too_small`,
    /// `provider_unavailable`, or a ``ProviderError/reason``.
    public var reason: String?
    /// The last error in words, without credentials.
    public var detail: String?
    /// Calls made (1 plus retries); 0 when skipped or cached.
    public var calls: Int
    public var durationMilliseconds: Double
    public var usage: TokenUsage?
    public var costMicros: Int64

    public init(
        tier: Int, provider: String, model: String, outcome: Outcome, reason: String? = nil, detail: String? = nil, calls: Int = 0,
        durationMilliseconds: Double = 0, usage: TokenUsage? = nil, costMicros: Int64 = 0
    ) {
        self.tier = tier
        self.provider = provider
        self.model = model
        self.outcome = outcome
        self.reason = reason
        self.detail = detail
        self.calls = calls
        self.durationMilliseconds = durationMilliseconds
        self.usage = usage
        self.costMicros = costMicros
    }

    enum CodingKeys: String, CodingKey {
        case tier, provider, model, outcome, reason, detail, calls, usage
        case durationMilliseconds = "duration_ms"
        case costMicros = "cost_micros"
    }
}
