import ArbiterCore
import Foundation
import Synchronization

/// Counts requests per bucket in fixed windows and answers with the sliding-window estimate.
public protocol RateLimiter: Sendable {
    /// Counts one request against each bucket and returns each bucket's decision, in order.
    func hit(_ buckets: [String], policy: RateLimitPolicy) async throws -> [RateLimitDecision]
    /// The decision a request would get now, without counting it.
    func peek(_ bucket: String, policy: RateLimitPolicy) async throws -> RateLimitDecision
    /// Takes back one request counted by ``hit(_:policy:)`` in the current window, for attempts counted before
    /// their outcome was known (a sign-in that turned out to be right).
    func refund(_ buckets: [String], policy: RateLimitPolicy) async throws
    /// Forgets a bucket (a successful login clears its failures).
    func reset(_ bucket: String) async throws
    /// Drops counters older than `age`.
    func purge(olderThan age: Duration) async throws
}

/// Counters in this process's memory: right for one server on the embedded database.
public final class InMemoryRateLimiter: RateLimiter {
    private struct Counter {
        var windowStart: Int64
        var current: Int
        var previous: Int
    }

    private let counters = Mutex<[String: Counter]>([:])
    private let clock: any WallClock

    public init(clock: any WallClock) {
        self.clock = clock
    }

    public func hit(_ buckets: [String], policy: RateLimitPolicy) -> [RateLimitDecision] {
        let now = clock.now()
        let start = RateLimitDecision.windowStart(for: now, policy: policy)
        let windowMilliseconds = policy.window.components.seconds * 1000
        let elapsed = Duration.milliseconds(now.unixMilliseconds - start)
        return counters.withLock { counters in
            buckets.map { bucket in
                var counter = Self.advance(counters[bucket], to: start, windowMilliseconds: windowMilliseconds)
                counter.current += 1
                counters[bucket] = counter
                return RateLimitDecision.evaluate(
                    policy: policy, currentCount: counter.current, previousCount: counter.previous, elapsed: elapsed)
            }
        }
    }

    public func peek(_ bucket: String, policy: RateLimitPolicy) -> RateLimitDecision {
        let now = clock.now()
        let start = RateLimitDecision.windowStart(for: now, policy: policy)
        let windowMilliseconds = policy.window.components.seconds * 1000
        let counter = counters.withLock { Self.advance($0[bucket], to: start, windowMilliseconds: windowMilliseconds) }
        return RateLimitDecision.evaluate(
            policy: policy, currentCount: counter.current + 1, previousCount: counter.previous,
            elapsed: .milliseconds(now.unixMilliseconds - start))
    }

    public func refund(_ buckets: [String], policy: RateLimitPolicy) {
        let start = RateLimitDecision.windowStart(for: clock.now(), policy: policy)
        counters.withLock { counters in
            for bucket in buckets where counters[bucket]?.windowStart == start && (counters[bucket]?.current ?? 0) > 0 {
                counters[bucket]?.current -= 1
            }
        }
    }

    public func reset(_ bucket: String) {
        _ = counters.withLock { $0.removeValue(forKey: bucket) }
    }

    public func purge(olderThan age: Duration) {
        let cutoff = clock.now().unixMilliseconds - age.components.seconds * 1000
        counters.withLock { counters in counters = counters.filter { $0.value.windowStart >= cutoff } }
    }

    /// The counter as of the window starting at `start`: last window's count becomes `previous`.
    private static func advance(_ counter: Counter?, to start: Int64, windowMilliseconds: Int64) -> Counter {
        guard let counter else { return Counter(windowStart: start, current: 0, previous: 0) }
        if counter.windowStart == start { return counter }
        if counter.windowStart == start - windowMilliseconds {
            return Counter(windowStart: start, current: 0, previous: counter.current)
        }
        return Counter(windowStart: start, current: 0, previous: 0)
    }
}

/// Counters in the database, so every replica on one PostgreSQL database shares one budget.
///
/// On PostgreSQL one statement per request counts the hit in every bucket and reads each bucket's previous window.
/// It works on SQLite too, but there ``InMemoryRateLimiter`` is the one used: a single node needs no sharing.
public struct SQLRateLimiter: RateLimiter {
    let database: any SQLDatabase
    let clock: any WallClock

    public init(database: any SQLDatabase, clock: any WallClock) {
        self.database = database
        self.clock = clock
    }

    public func hit(_ buckets: [String], policy: RateLimitPolicy) async throws -> [RateLimitDecision] {
        guard !buckets.isEmpty else { return [] }
        let now = clock.now()
        let start = RateLimitDecision.windowStart(for: now, policy: policy)
        let previousStart = start - policy.window.components.seconds * 1000
        let elapsed = Duration.milliseconds(now.unixMilliseconds - start)
        var rows: SQLQuery = ""
        for (index, bucket) in buckets.enumerated() {
            rows = index == 0 ? "(\(bucket), \(start), 1)" : "\(rows), (\(bucket), \(start), 1)"
        }
        let values = rows
        let counts = try await (database.dialect == .postgres ? database.autocommit : database.transaction) { executor -> [SQLRow] in
            guard executor.dialect == .postgres else {
                // SQLite allows no INSERT inside WITH; two statements in one (serialized) transaction do the same.
                let counted = try await executor.query(
                    """
                    INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES \(values)
                    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
                    RETURNING bucket, hits
                    """)
                let earlier = try await executor.query(
                    "SELECT bucket, hits FROM rate_limit_counters WHERE window_start = \(previousStart) AND bucket IN (\(list: buckets))")
                let previousByBucket = try Dictionary(
                    earlier.map { (try $0.decode("bucket", as: String.self), try $0.decode("hits", as: Int64.self)) },
                    uniquingKeysWith: { first, _ in first })
                return try counted.map { row in
                    let bucket: String = try row.decode("bucket")
                    return SQLRow(
                        columns: ["bucket", "hits", "previous"],
                        values: [.text(bucket), .integer(try row.decode("hits")), .integer(previousByBucket[bucket] ?? 0)])
                }
            }
            // One statement, atomic on its own: no BEGIN and COMMIT round trips.
            return try await executor.query(
                """
                WITH counted AS (
                    INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES \(values)
                    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
                    RETURNING bucket, hits
                )
                SELECT counted.bucket, counted.hits, COALESCE(earlier.hits, 0) AS previous
                FROM counted LEFT JOIN rate_limit_counters earlier
                    ON earlier.bucket = counted.bucket AND earlier.window_start = \(previousStart)
                """)
        }
        var byBucket: [String: (Int, Int)] = [:]
        for row in counts {
            byBucket[try row.decode("bucket")] = (try row.decode("hits"), try row.decode("previous"))
        }
        return buckets.map { bucket in
            let (current, previous) = byBucket[bucket] ?? (1, 0)
            return RateLimitDecision.evaluate(policy: policy, currentCount: current, previousCount: previous, elapsed: elapsed)
        }
    }

    public func peek(_ bucket: String, policy: RateLimitPolicy) async throws -> RateLimitDecision {
        let now = clock.now()
        let start = RateLimitDecision.windowStart(for: now, policy: policy)
        let previousStart = start - policy.window.components.seconds * 1000
        let rows = try await database.read { executor in
            try await executor.query(
                "SELECT window_start, hits FROM rate_limit_counters WHERE bucket = \(bucket) AND window_start IN (\(start), \(previousStart))")
        }
        var current = 0
        var previous = 0
        for row in rows {
            let window: Int64 = try row.decode("window_start")
            if window == start { current = try row.decode("hits") } else { previous = try row.decode("hits") }
        }
        return RateLimitDecision.evaluate(
            policy: policy, currentCount: current + 1, previousCount: previous, elapsed: .milliseconds(now.unixMilliseconds - start))
    }

    public func refund(_ buckets: [String], policy: RateLimitPolicy) async throws {
        guard !buckets.isEmpty else { return }
        let start = RateLimitDecision.windowStart(for: clock.now(), policy: policy)
        try await database.autocommit { executor in
            try await executor.query(
                """
                UPDATE rate_limit_counters SET hits = hits - 1
                WHERE bucket IN (\(list: buckets)) AND window_start = \(start) AND hits > 0
                """)
        }
    }

    public func reset(_ bucket: String) async throws {
        try await database.transaction { executor in
            try await executor.query("DELETE FROM rate_limit_counters WHERE bucket = \(bucket)")
        }
    }

    public func purge(olderThan age: Duration) async throws {
        let cutoff = clock.now().unixMilliseconds - age.components.seconds * 1000
        try await database.transaction { executor in
            try await executor.query("DELETE FROM rate_limit_counters WHERE window_start < \(cutoff)")
        }
    }
}
