import ArbiterCore
import Foundation

/// The first answer to each `Idempotency-Key`, per caller.
///
/// A request claims its key before it runs (a `pending` row, unique per caller and key, so of two concurrent
/// requests with one key exactly one runs) and stores its response when it succeeds; a request that fails releases
/// the key. A claim left behind by a crashed process lapses after ``pendingTTL``; stored answers after ``ttl``.
public struct IdempotencyStore: Sendable {
    let database: any SQLDatabase
    let clock: any WallClock
    /// How long a stored answer is replayed.
    public let ttl: Duration
    /// How long a claim without an answer blocks its key.
    public let pendingTTL: Duration

    public init(database: any SQLDatabase, clock: any WallClock, ttl: Duration = .seconds(86_400), pendingTTL: Duration = .seconds(300)) {
        self.database = database
        self.clock = clock
        self.ttl = ttl
        self.pendingTTL = pendingTTL
    }

    /// What identifies a request for replay: who sent it, with which key, and what it asked.
    public struct Request: Sendable, Equatable {
        public let caller: String
        public let key: String
        public let method: String
        public let path: String
        /// SHA-256 of the method, target and body.
        public let hash: String

        public init(caller: String, key: String, method: String, path: String, hash: String) {
            self.caller = caller
            self.key = key
            self.method = method
            self.path = path
            self.hash = hash
        }
    }

    /// A stored response.
    public struct Answer: Sendable, Equatable {
        public let status: Int
        public let headers: [[String]]
        public let body: [UInt8]

        public init(status: Int, headers: [[String]], body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// The outcome of claiming a key.
    public enum Claim: Sendable, Equatable {
        /// Nobody used the key: run the request, then ``complete(_:with:)`` or ``release(_:)``.
        case claimed
        /// The same request already succeeded: answer with this.
        case replay(Answer)
        /// The same request is running right now.
        case inProgress
        /// The key was used for a different request (method, path or body), first sent at `firstUsed`.
        case mismatch(method: String, path: String, firstUsed: Date)
    }

    public func claim(_ request: Request) async throws -> Claim {
        let now = clock.now()
        let pendingUntil = now.addingTimeInterval(Self.seconds(pendingTTL))
        return try await database.autocommit { executor in
            // Twice at most: a row that lapses or is released between the insert and the read is claimed again.
            for _ in 0..<2 {
                try await executor.query(
                    "DELETE FROM idempotency_keys WHERE caller = \(request.caller) AND key = \(request.key) AND expires_at <= \(now)")
                let inserted = try await executor.query(
                    """
                    INSERT INTO idempotency_keys (caller, key, method, path, request_hash, state, created_at, expires_at)
                    VALUES (\(request.caller), \(request.key), \(request.method), \(request.path), \(request.hash), 'pending', \(now), \(pendingUntil))
                    ON CONFLICT (caller, key) DO NOTHING RETURNING key
                    """)
                if !inserted.isEmpty { return .claimed }
                guard
                    let row = try await executor.first(
                        "SELECT * FROM idempotency_keys WHERE caller = \(request.caller) AND key = \(request.key)")
                else { continue }
                let method: String = try row.decode("method")
                let path: String = try row.decode("path")
                guard method == request.method, path == request.path, try row.decode("request_hash", as: String.self) == request.hash else {
                    return .mismatch(method: method, path: path, firstUsed: try row.decode("created_at"))
                }
                guard try row.decode("state", as: String.self) == "completed" else { return .inProgress }
                let headers = try JSONDecoder().decode([[String]].self, from: Data(try row.decode("headers", as: String.self).utf8))
                return .replay(Answer(status: try row.decode("status"), headers: headers, body: try row.decode("body")))
            }
            return .inProgress
        }
    }

    /// Stores the answer to a claimed request; it is replayed until ``ttl`` has passed.
    public func complete(_ request: Request, with answer: Answer) async throws {
        let now = clock.now()
        let headers = String(decoding: try JSONEncoder().encode(answer.headers), as: UTF8.self)
        try await database.autocommit { executor in
            try await executor.query(
                """
                UPDATE idempotency_keys SET state = 'completed', status = \(answer.status), headers = \(headers), body = \(answer.body),
                    expires_at = \(now.addingTimeInterval(Self.seconds(ttl)))
                WHERE caller = \(request.caller) AND key = \(request.key) AND request_hash = \(request.hash) AND state = 'pending'
                """)
        }
    }

    /// Gives a claimed key back, so the request can be sent again with it.
    public func release(_ request: Request) async throws {
        try await database.autocommit { executor in
            try await executor.query(
                "DELETE FROM idempotency_keys WHERE caller = \(request.caller) AND key = \(request.key) AND state = 'pending'")
        }
    }

    /// Deletes lapsed claims and answers; returns how many.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let now = clock.now()
        return try await database.autocommit { executor in
            try await executor.query("DELETE FROM idempotency_keys WHERE expires_at <= \(now) RETURNING key").count
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
