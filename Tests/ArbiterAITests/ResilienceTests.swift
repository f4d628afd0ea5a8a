import ArbiterAI
import Synchronization
import Testing

/// A seeded generator, so jitter is checked over many draws without flaky tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A counter many tasks share, remembering its highest value.
final class Counter: Sendable {
    private let state = Mutex((value: 0, most: 0))
    func add(_ amount: Int = 1) {
        state.withLock {
            $0.value += amount
            $0.most = max($0.most, $0.value)
        }
    }
    var value: Int { state.withLock { $0.value } }
    var most: Int { state.withLock { $0.most } }
}

@Suite("Circuit breaker")
struct BreakerTests {
    @Test("closed → open after 5 consecutive failures; a success in between resets the count")
    func opens() {
        let breaker = CircuitBreaker(time: ManualTimeSource())
        for _ in 0..<4 { breaker.recordFailure() }
        breaker.recordSuccess()
        for _ in 0..<4 { breaker.recordFailure() }
        #expect(breaker.state == .closed)
        breaker.recordFailure()
        #expect(breaker.state == .open)
        #expect(!breaker.tryAcquire())
        #expect(breaker.retryAfter == .seconds(60))
    }

    @Test("open → half-open after 60 s; 3 trial calls at most; 3 successes close it; a failure reopens it")
    func halfOpen() {
        let time = ManualTimeSource()
        let breaker = CircuitBreaker(time: time)
        for _ in 0..<5 { breaker.recordFailure() }
        time.advance(by: .seconds(59))
        #expect(breaker.state == .open)
        #expect(breaker.retryAfter == .seconds(1))
        time.advance(by: .seconds(1))
        #expect(breaker.state == .halfOpen)
        #expect(breaker.tryAcquire() && breaker.tryAcquire() && breaker.tryAcquire())
        #expect(!breaker.tryAcquire())
        breaker.recordCancelled()
        #expect(breaker.tryAcquire())
        breaker.recordSuccess()
        breaker.recordSuccess()
        #expect(breaker.state == .halfOpen)
        breaker.recordFailure()
        #expect(breaker.state == .open)
        time.advance(by: .seconds(60))
        for _ in 0..<3 {
            #expect(breaker.tryAcquire())
            breaker.recordSuccess()
        }
        #expect(breaker.state == .closed)
        #expect(breaker.retryAfter == nil)
    }

    @Test("many tasks failing at once open it exactly once and it lets nothing through while open")
    func race() async {
        let time = ManualTimeSource()
        let breaker = CircuitBreaker(time: time)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 { group.addTask { breaker.recordFailure() } }
        }
        #expect(breaker.state == .open)
        time.advance(by: .seconds(60))
        let admitted = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 { group.addTask { if breaker.tryAcquire() { admitted.add() } } }
        }
        #expect(admitted.value == 3)
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("retries timeouts, broken connections, 429 and 5xx; never 4xx or malformed answers")
    func classification() {
        var random = SplitMix64(state: 1)
        let policy = RetryPolicy()
        for error in [ProviderError.timeout("t"), .transport("t"), .rateLimited(retryAfter: nil), .server(status: 502, message: "")] {
            #expect(policy.delay(after: error, attempt: 1, random: &random) != nil)
        }
        for error in [ProviderError.client(status: 400, message: ""), .client(status: 401, message: ""), .malformedResponse("x")] {
            #expect(policy.delay(after: error, attempt: 1, random: &random) == nil)
        }
        #expect(policy.delay(after: .timeout("t"), attempt: 3, random: &random) == nil)
        #expect(RetryPolicy.none.delay(after: .timeout("t"), attempt: 1, random: &random) == nil)
    }

    @Test("Retry-After is honoured exactly, and one longer than the cap is not waited for")
    func retryAfter() {
        var random = SplitMix64(state: 2)
        let policy = RetryPolicy()
        #expect(policy.delay(after: .rateLimited(retryAfter: .seconds(7)), attempt: 1, random: &random) == .seconds(7))
        #expect(policy.delay(after: .rateLimited(retryAfter: .seconds(31)), attempt: 1, random: &random) == nil)
    }

    @Test("backoff doubles with equal jitter and stays within its bounds")
    func jitter() {
        var random = SplitMix64(state: 3)
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        for attempt in 1...9 {
            let full = min(Duration.milliseconds(100) * (1 << (attempt - 1)), .seconds(1))
            var seen = Set<Duration>()
            for _ in 0..<500 {
                let delay = try! #require(policy.delay(after: .server(status: 500, message: ""), attempt: attempt, random: &random))
                #expect(delay >= full / 2 && delay <= full)
                seen.insert(delay)
            }
            #expect(seen.count > 100, "jitter must vary")
        }
    }
}

@Suite("Concurrency limiter")
struct ConcurrencyLimiterTests {
    @Test("200 tasks through 4 permits: never more than 4 inside, all finish, nothing leaks")
    func bounded() async throws {
        let limiter = ConcurrencyLimiter(limit: 4, queueLimit: 1_000)
        let inside = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await limiter.withPermit {
                        inside.add()
                        try await Task.sleep(for: .microseconds(200))
                        inside.add(-1)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inside.most <= 4)
        #expect(inside.most >= 2)
        #expect(limiter.inUse == 0)
        #expect(limiter.waiting == 0)
    }

    @Test("a full queue refuses at once")
    func queueFull() async throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueLimit: 1)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        while limiter.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: QueueFullError(limit: 1, queueLimit: 1)) { try await limiter.acquire() }
        limiter.release()
        try await waiter.value
        #expect(limiter.inUse == 1)
        limiter.release()
        #expect(limiter.inUse == 0)
    }

    @Test("cancelled waiters leave the queue and never take or lose a permit")
    func cancellation() async throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueLimit: 100)
        try await limiter.acquire()
        let waiters = (0..<50).map { _ in Task { try await limiter.acquire() } }
        for (index, waiter) in waiters.enumerated() where index % 2 == 0 { waiter.cancel() }
        limiter.release()
        var acquired = 0
        for (index, waiter) in waiters.enumerated() {
            do {
                try await waiter.value
                acquired += 1
                limiter.release()
            } catch is CancellationError {
                #expect(index % 2 == 0)
            }
        }
        #expect(acquired >= 25)
        #expect(limiter.inUse == 0)
        #expect(limiter.waiting == 0)
    }
}
