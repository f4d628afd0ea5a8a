import Foundation
import Synchronization

/// A cache of model answers shared by every replica, kept in the database.
public protocol SharedResponseCache: Sendable {
    func value(for key: String) async throws -> String?
    func insert(_ value: String, for key: String, expiresIn: Duration) async throws
}

/// How the gateway retries, trips breakers and caches.
public struct GatewayOptions: Sendable {
    public var retry: RetryPolicy
    public var breaker: CircuitBreakerPolicy
    public var cacheTTL: Duration
    public var cacheMaxEntries: Int
    public var cacheMaxBytes: Int
    public var time: any TimeSource

    public init(
        retry: RetryPolicy = RetryPolicy(), breaker: CircuitBreakerPolicy = CircuitBreakerPolicy(), cacheTTL: Duration = .seconds(86_400),
        cacheMaxEntries: Int = 2_048, cacheMaxBytes: Int = 64 << 20, time: any TimeSource = SystemTimeSource()
    ) {
        self.retry = retry
        self.breaker = breaker
        self.cacheTTL = cacheTTL
        self.cacheMaxEntries = cacheMaxEntries
        self.cacheMaxBytes = cacheMaxBytes
        self.time = time
    }
}

/// Calls models through the chain: for each tier in order, the cache, the breaker, the budget and the tier's
/// concurrency limit decide whether it is called; retryable failures are retried with backoff; a tier that cannot
/// answer hands over to the next. Breakers and limits live as long as the gateway and are shared by every review
/// on this node.
public final class ModelGateway: Sendable {
    public let options: GatewayOptions
    /// The HTTP clients every call goes through.
    public let clients: HTTPClients
    let memoryCache: ResponseCache
    let sharedCache: (any SharedResponseCache)?
    let makeProvider: @Sendable (ProviderEndpoint, HTTPClients) -> any ModelProvider
    private let states = Mutex<[String: TierState]>([:])
    private let counters = Mutex(Statistics())

    final class TierState: Sendable {
        let breaker: CircuitBreaker
        let limiter: ConcurrencyLimiter

        init(_ tier: ReviewerConfiguration.Tier, options: GatewayOptions) {
            breaker = CircuitBreaker(policy: options.breaker, time: options.time)
            limiter = ConcurrencyLimiter(limit: tier.concurrency, queueLimit: tier.queueLimit)
        }
    }

    /// Counters since start, for `/api/v1/usage` and metrics.
    public struct Statistics: Sendable, Codable, Equatable {
        public var memoryHits = 0
        public var sharedHits = 0
        public var misses = 0
        public var calls = 0
        public var failedCalls = 0

        enum CodingKeys: String, CodingKey {
            case memoryHits = "memory_hits", sharedHits = "shared_hits", misses, calls, failedCalls = "failed_calls"
        }
    }

    public init(
        options: GatewayOptions = GatewayOptions(), clients: HTTPClients = HTTPClients(), sharedCache: (any SharedResponseCache)? = nil,
        makeProvider: @escaping @Sendable (ProviderEndpoint, HTTPClients) -> any ModelProvider = ModelGateway.standardProvider
    ) {
        self.options = options
        self.clients = clients
        self.sharedCache = sharedCache
        self.makeProvider = makeProvider
        memoryCache = ResponseCache(
            maxEntries: options.cacheMaxEntries, maxBytes: options.cacheMaxBytes, ttl: options.cacheTTL, time: options.time)
    }

    /// The provider for an endpoint's wire format.
    public static func standardProvider(_ endpoint: ProviderEndpoint, _ clients: HTTPClients) -> any ModelProvider {
        switch endpoint.kind {
        case .openAI: OpenAICompatibleProvider(endpoint: endpoint, clients: clients)
        case .anthropic: AnthropicProvider(endpoint: endpoint, clients: clients)
        }
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// Closes the HTTP clients.
    public func shutdown() async { await clients.shutdown() }

    /// One prompt for the chain.
    public struct Prompt: Sendable {
        public var system: String
        public var user: String
        public var promptVersion: String
        /// Whose cache entries these are (the organization): answers are never shared across tenants.
        public var cacheScope: String

        public init(system: String, user: String, promptVersion: String, cacheScope: String) {
            self.system = system
            self.user = user
            self.promptVersion = promptVersion
            self.cacheScope = cacheScope
        }

        public var estimatedInputTokens: Int { TokenEstimator.estimate(system) + TokenEstimator.estimate(user) + 8 }
    }

    /// Progress while the chain works, for streaming clients.
    public enum Event: Sendable {
        case attemptStarted(tier: Int, provider: String, model: String)
        /// Characters of answer received so far from the tier being called.
        case progress(tier: Int, characters: Int)
        case attemptFinished(Attempt)
    }

    /// The chain's result: the answer of the first tier that gave one, or none (the analyzer stands alone), and
    /// every attempt on the way.
    public struct Answer: Sendable {
        public var text: String?
        /// 1-based tier that answered.
        public var tier: Int?
        public var attempts: [Attempt]
        public var answeredBy: Attempt? { attempts.last { $0.outcome == .answered || $0.outcome == .cached } }
    }

    /// Runs `prompt` down `tiers`. `paidAllowed` false skips tiers that cost money (the hard budget is spent); past
    /// `deadline` no call is started, a call in flight is cut, and no retry is waited for.
    /// Throws only `CancellationError`; every other failure is an attempt in the answer.
    public func answer(
        _ prompt: Prompt, tiers: [ResolvedTier], paidAllowed: Bool = true, streaming: Bool = true, deadline: ContinuousClock.Instant? = nil,
        onEvent: @escaping @Sendable (Event) async throws -> Void = { _ in }
    ) async throws -> Answer {
        var attempts: [Attempt] = []
        for (index, resolved) in tiers.enumerated() {
            let number = index + 1
            let attempt = try await attempt(
                prompt, resolved, number: number, paidAllowed: paidAllowed, streaming: streaming, deadline: deadline, onEvent: onEvent)
            attempts.append(attempt.record)
            try await onEvent(.attemptFinished(attempt.record))
            if let text = attempt.text { return Answer(text: text, tier: number, attempts: attempts) }
        }
        return Answer(text: nil, tier: nil, attempts: attempts)
    }

    private func attempt(
        _ prompt: Prompt, _ resolved: ResolvedTier, number: Int, paidAllowed: Bool, streaming: Bool, deadline: ContinuousClock.Instant?,
        onEvent: @escaping @Sendable (Event) async throws -> Void
    ) async throws -> (record: Attempt, text: String?) {
        let tier = resolved.tier
        var record = Attempt(tier: number, provider: resolved.providerName, model: tier.model, outcome: .skipped)
        let key = cacheKey(prompt, resolved)
        if let text = try await cached(key) {
            record.outcome = .cached
            return (record, text)
        }
        counters.withLock { $0.misses += 1 }
        if tier.isPaid && !paidAllowed {
            record.reason = "over_budget"
            record.detail = "the organization's hard monthly budget is spent; paid tiers are skipped"
            return (record, nil)
        }
        if let deadline, ContinuousClock.now >= deadline {
            record.reason = "deadline"
            record.detail = "the review's time for models ran out"
            return (record, nil)
        }
        let needed = prompt.estimatedInputTokens + tier.maxOutputTokens
        if needed > tier.contextWindow {
            record.reason = "context_too_small"
            record.detail = "the prompt needs about \(needed) tokens with the answer; the window is \(tier.contextWindow)"
            return (record, nil)
        }
        let state = state(for: resolved)
        guard state.breaker.tryAcquire() else {
            record.reason = "circuit_open"
            record.detail = "after repeated failures; tried again in \(state.breaker.retryAfter.map { "\($0)" } ?? "a moment")"
            return (record, nil)
        }
        do {
            try await state.limiter.acquire()
        } catch let full as QueueFullError {
            state.breaker.recordCancelled()
            record.reason = "queue_full"
            record.detail = "\(full.limit) calls in flight and \(full.queueLimit) waiting"
            return (record, nil)
        } catch {
            state.breaker.recordCancelled()
            throw error
        }
        defer { state.limiter.release() }
        try await onEvent(.attemptStarted(tier: number, provider: resolved.providerName, model: tier.model))
        let provider = makeProvider(resolved.endpoint, clients)
        let request = ChatRequest(
            model: tier.model, system: prompt.system, messages: [ChatMessage(.user, prompt.user)], maxOutputTokens: tier.maxOutputTokens)
        let started = ContinuousClock.now
        var random = SystemRandomNumberGenerator()
        var holdsPermit = true
        defer { if holdsPermit { state.breaker.recordCancelled() } }
        while true {
            record.calls += 1
            counters.withLock { $0.calls += 1 }
            do {
                let response = try await Self.within(deadline) {
                    try await self.call(provider, request, streaming: streaming, tier: number, onEvent: onEvent)
                }
                holdsPermit = false
                state.breaker.recordSuccess()
                // A provider's usage is trusted for cost only when it is plausible; negative counts become 0.
                let usage =
                    response.usage.map { TokenUsage(inputTokens: max(0, $0.inputTokens), outputTokens: max(0, $0.outputTokens), estimated: false) }
                    ?? TokenUsage(
                        inputTokens: prompt.estimatedInputTokens, outputTokens: TokenEstimator.estimate(response.text), estimated: true)
                record.outcome = .answered
                record.usage = usage
                record.costMicros = tier.costMicros(usage)
                record.durationMilliseconds = Self.milliseconds(ContinuousClock.now - started)
                if response.finishReason == "length" || response.finishReason == "max_tokens" {
                    record.detail = "the answer reached max_output_tokens and was cut; complete findings were kept"
                } else {
                    try? await store(response.text, for: key)
                }
                return (record, response.text)
            } catch let error as ProviderError {
                counters.withLock { $0.failedCalls += 1 }
                holdsPermit = false
                if Self.countsAgainstProvider(error) { state.breaker.recordFailure() } else { state.breaker.recordCancelled() }
                record.outcome = .failed
                record.reason = error.reason
                record.detail = error.message
                record.durationMilliseconds = Self.milliseconds(ContinuousClock.now - started)
                guard let delay = options.retry.delay(after: error, attempt: record.calls, random: &random),
                    deadline.map({ ContinuousClock.now.advanced(by: delay) < $0 }) ?? true
                else { return (record, nil) }
                try await Task.sleep(for: delay)
                guard state.breaker.tryAcquire() else {
                    record.reason = "circuit_open"
                    return (record, nil)
                }
                holdsPermit = true
            }
        }
    }

    /// Runs `body`, cut with a timeout error at `deadline`.
    static func within<T: Sendable>(_ deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let deadline else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ProviderError.timeout("the review's time for models ran out")
            }
            return value
        }
    }

    private func call(
        _ provider: any ModelProvider, _ request: ChatRequest, streaming: Bool, tier: Int, onEvent: @escaping @Sendable (Event) async throws -> Void
    ) async throws -> ChatResponse {
        guard streaming else { return try await provider.complete(request) }
        let received = Mutex((characters: 0, reported: 0))
        return try await provider.stream(request) { piece in
            let report = received.withLock { state -> Int? in
                state.characters += piece.count
                guard state.characters - state.reported >= 512 || state.reported == 0 else { return nil }
                state.reported = state.characters
                return state.characters
            }
            if let report { try await onEvent(.progress(tier: tier, characters: report)) }
        }
    }

    /// Failures that say something about the provider's health. A request the provider refused as too large or
    /// malformed says nothing about the next request, so it does not move the breaker.
    static func countsAgainstProvider(_ error: ProviderError) -> Bool {
        switch error {
        case .client(let status, _): [401, 403, 404].contains(status)
        default: true
        }
    }

    func state(for resolved: ResolvedTier) -> TierState {
        states.withLock { states in
            if let state = states[resolved.stateKey] { return state }
            let state = TierState(resolved.tier, options: options)
            states[resolved.stateKey] = state
            return state
        }
    }

    /// The breaker state of a tier, for tests and status pages.
    public func breakerState(for resolved: ResolvedTier) -> CircuitBreaker.State { state(for: resolved).breaker.state }

    /// SHA-256 of the tenant, the provider's place, the model, the prompt version and the prompt itself.
    func cacheKey(_ prompt: Prompt, _ resolved: ResolvedTier) -> String {
        SHA256Hex.digest(
            [prompt.cacheScope, resolved.endpoint.kind.rawValue, resolved.endpoint.baseURL, resolved.tier.model, prompt.promptVersion,
             prompt.system, prompt.user].joined(separator: "\u{0}"))
    }

    private func cached(_ key: String) async throws -> String? {
        if let text = memoryCache.value(for: key) {
            counters.withLock { $0.memoryHits += 1 }
            return text
        }
        guard let sharedCache, let text = try? await sharedCache.value(for: key) else { return nil }
        counters.withLock { $0.sharedHits += 1 }
        memoryCache.insert(text, for: key)
        return text
    }

    private func store(_ text: String, for key: String) async throws {
        memoryCache.insert(text, for: key)
        try await sharedCache?.insert(text, for: key, expiresIn: options.cacheTTL)
    }

    /// `duration` in milliseconds.
    public static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
