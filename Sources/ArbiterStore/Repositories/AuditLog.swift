import ArbiterCore
import Foundation
import Synchronization

/// The audit log: entries appended inside the transaction of the change they record, read back with filters,
/// verified link by link, and pruned per class while each chain stays verifiable from its anchor.
public struct AuditLog: Sendable {
    let database: any SQLDatabase
    let ids: any IDGenerator
    let clock: any WallClock
    private let keyring: AuditKeyring

    /// A log keyed with `chain`.
    public init(database: any SQLDatabase, ids: any IDGenerator, clock: any WallClock, chain: AuditChain) {
        self.database = database
        self.ids = ids
        self.clock = clock
        self.keyring = AuditKeyring(chain)
    }

    /// A log whose key is kept in the database sealed with `cipher`; ``prepare()`` makes or opens it once the
    /// schema exists.
    public init(database: any SQLDatabase, ids: any IDGenerator, clock: any WallClock, cipher: SecretCipher) {
        self.database = database
        self.ids = ids
        self.clock = clock
        self.keyring = AuditKeyring(
            create: { try await SystemKeys.auditChain(database: database, cipher: cipher, clock: clock) },
            read: { executor in try await SystemKeys.storedAuditChain(on: executor, cipher: cipher) })
    }

    /// Makes (on the first start) or opens the log's key, so a wrong master key stops a start instead of the
    /// first audited request. Call it after migrations; appends before it read the key inside their transaction.
    public func prepare() async throws {
        _ = try await keyring.chain(on: nil)
    }

    /// Appends `event` on `executor`, inside the caller's transaction, so the entry commits or rolls back with the
    /// change it records.
    ///
    /// Appends to one chain are serialized by the row lock on the chain's head, taken first.
    @discardableResult
    public func append(_ event: AuditEvent, on executor: any SQLExecutor) async throws -> AuditRecord {
        let chainName = event.auditClass
        guard
            let head = try await executor.first(
                """
                UPDATE audit_chain_heads SET last_seq = last_seq + 1 WHERE chain = \(chainName.rawValue)
                RETURNING last_seq, last_hash
                """)
        else {
            throw StoreError(.notFound, "audit chain \(chainName.rawValue) has no head row")
        }
        let sequence: Int64 = try head.decode("last_seq")
        let previous: String = try head.decode("last_hash")
        let id = ids.next()
        let now = clock.now()
        let hash = try await keyring.chain(on: executor).hash(previous: previous, chain: chainName, sequence: sequence, id: id, createdAt: now, event: event)
        try await executor.query(
            """
            INSERT INTO audit_log (chain, seq, id, created_at, organization_id, actor, action, target, outcome, request_id,
                client_ip, user_agent, details, prev_hash, hash)
            VALUES (\(chainName.rawValue), \(sequence), \(id), \(now), \(event.organizationID), \(event.actor), \(event.action),
                \(event.target), \(event.outcome.rawValue), \(event.requestID), \(event.clientIP), \(event.userAgent),
                \(AuditChain.canonicalDetails(event.details)), \(previous), \(hash))
            """)
        try await executor.query("UPDATE audit_chain_heads SET last_hash = \(hash) WHERE chain = \(chainName.rawValue)")
        return AuditRecord(chain: chainName, sequence: sequence, id: id, createdAt: now, event: event, previousHash: previous, hash: hash)
    }

    /// Appends `event` in a transaction of its own, for events that change nothing else (a failed login).
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> AuditRecord {
        try await database.transaction { executor in try await append(event, on: executor) }
    }

    /// Which entries to list; every filter is optional.
    public struct Filter: Sendable {
        public var organizationID: String?
        public var actor: String?
        public var action: String?
        public var outcome: AuditEvent.Outcome?
        public var since: Date?
        public var until: Date?

        public init(
            organizationID: String? = nil, actor: String? = nil, action: String? = nil, outcome: AuditEvent.Outcome? = nil,
            since: Date? = nil, until: Date? = nil
        ) {
            self.organizationID = organizationID
            self.actor = actor
            self.action = action
            self.outcome = outcome
            self.since = since
            self.until = until
        }
    }

    /// A page of entries, newest first, and the cursor for the next page.
    public struct Page: Sendable {
        public let records: [AuditRecord]
        public let nextCursor: String?
    }

    /// Entries matching `filter`, newest first, at most `limit` (capped at 100), after `cursor`.
    public func list(_ filter: Filter, limit: Int, cursor: String?) async throws -> Page {
        let limit = min(max(limit, 1), 100)
        let position = cursor.flatMap(PageCursor.init)
        let rows = try await database.read { executor in
            // Every condition is always present and switched off by a NULL parameter, so the text never varies.
            // The casts tell PostgreSQL each parameter's type where `IS NULL` alone would not.
            try await executor.query(
                """
                SELECT * FROM audit_log
                WHERE (CAST(\(filter.organizationID) AS TEXT) IS NULL OR organization_id = \(filter.organizationID))
                  AND (CAST(\(filter.actor) AS TEXT) IS NULL OR actor = \(filter.actor))
                  AND (CAST(\(filter.action) AS TEXT) IS NULL OR action = \(filter.action))
                  AND (CAST(\(filter.outcome?.rawValue) AS TEXT) IS NULL OR outcome = \(filter.outcome?.rawValue))
                  AND (CAST(\(filter.since) AS BIGINT) IS NULL OR created_at >= \(filter.since))
                  AND (CAST(\(filter.until) AS BIGINT) IS NULL OR created_at < \(filter.until))
                  AND (CAST(\(position?.createdAt) AS BIGINT) IS NULL OR created_at < \(position?.createdAt)
                       OR (created_at = \(position?.createdAt) AND id < \(position?.id)))
                ORDER BY created_at DESC, id DESC
                LIMIT \(limit + 1)
                """)
        }
        let records = try rows.prefix(limit).map(Self.record)
        let next = rows.count > limit ? records.last.map { PageCursor(createdAt: $0.createdAt, id: $0.id).text } : nil
        return Page(records: records, nextCursor: next)
    }

    /// Every break in every chain; empty when the log is intact.
    public func verify() async throws -> [AuditChain.Break] {
        let keyed = try await keyring.chain(on: nil)
        var breaks: [AuditChain.Break] = []
        for chain in AuditClass.allCases {
            // One transaction, so entries, anchor and head come from one snapshot while appends go on.
            let (records, anchor, head) = try await database.transaction { executor in
                if executor.dialect == .postgres {
                    try await executor.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                }
                let rows = try await executor.query("SELECT * FROM audit_log WHERE chain = \(chain.rawValue) ORDER BY seq")
                let anchorRow = try await executor.first("SELECT through_seq, last_hash FROM audit_anchors WHERE chain = \(chain.rawValue)")
                let headRow = try await executor.first("SELECT last_seq, last_hash FROM audit_chain_heads WHERE chain = \(chain.rawValue)")
                let anchor: (Int64, String) =
                    try anchorRow.map { (try $0.decode("through_seq"), try $0.decode("last_hash")) } ?? (0, AuditChain.genesis)
                let head: (Int64, String) = try headRow.map { (try $0.decode("last_seq"), try $0.decode("last_hash")) } ?? (-1, "")
                return (try rows.map(Self.record), anchor, head)
            }
            breaks += keyed.verify(records, chain: chain, anchor: anchor, head: head)
        }
        return breaks
    }

    /// Deletes, per class, the oldest entries older than its retention, moves the chain's anchor to the last one
    /// deleted, and records the pruning in the system chain. Returns how many entries each class lost.
    @discardableResult
    public func prune(retentionDays: [AuditClass: Int]) async throws -> [AuditClass: Int] {
        var pruned: [AuditClass: Int] = [:]
        let now = clock.now()
        for chain in AuditClass.allCases {
            guard let days = retentionDays[chain], days > 0 else { continue }
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            let count = try await database.transaction { executor -> Int in
                // Lock the chain's head first: appends and other pruners of this chain wait until this commits.
                try await executor.query("UPDATE audit_chain_heads SET last_seq = last_seq WHERE chain = \(chain.rawValue)")
                // Entries are in time order within a chain, so what is expired is a prefix of it.
                guard
                    let last = try await executor.first(
                        """
                        SELECT seq, hash FROM audit_log WHERE chain = \(chain.rawValue) AND created_at < \(cutoff)
                        ORDER BY seq DESC LIMIT 1
                        """)
                else { return 0 }
                let throughSeq: Int64 = try last.decode("seq")
                let lastHash: String = try last.decode("hash")
                try await executor.query("INSERT INTO audit_prune_permits (chain) VALUES (\(chain.rawValue))")
                let deleted = try await executor.query(
                    "DELETE FROM audit_log WHERE chain = \(chain.rawValue) AND seq <= \(throughSeq) RETURNING seq")
                try await executor.query("DELETE FROM audit_prune_permits WHERE chain = \(chain.rawValue)")
                try await executor.query(
                    """
                    INSERT INTO audit_anchors (chain, through_seq, last_hash, pruned_total, pruned_at)
                    VALUES (\(chain.rawValue), \(throughSeq), \(lastHash), \(deleted.count), \(now))
                    ON CONFLICT (chain) DO UPDATE SET through_seq = excluded.through_seq, last_hash = excluded.last_hash,
                        pruned_total = audit_anchors.pruned_total + excluded.pruned_total, pruned_at = excluded.pruned_at
                    """)
                if chain != .system {
                    try await append(
                        AuditEvent(
                            .system, action: "audit.prune", actor: "system", organizationID: nil, target: "audit_chain:\(chain.rawValue)",
                            details: ["deleted": String(deleted.count), "through_seq": String(throughSeq), "anchor_hash": lastHash]),
                        on: executor)
                }
                return deleted.count
            }
            if count > 0 { pruned[chain] = count }
        }
        return pruned
    }

    static func record(_ row: SQLRow) throws -> AuditRecord {
        let chain = try AuditClass(rawValue: row.decode("chain", as: String.self)) ?? .system
        let detailsText: String = try row.decode("details")
        let details = (try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8))) ?? ["_unreadable": detailsText]
        var event = AuditEvent(
            chain, action: try row.decode("action"), actor: try row.decode("actor"), organizationID: try row.decode("organization_id"),
            target: try row.decode("target"),
            outcome: AuditEvent.Outcome(rawValue: try row.decode("outcome", as: String.self)) ?? .failure, details: details)
        event.requestID = try row.decode("request_id")
        event.clientIP = try row.decode("client_ip")
        event.userAgent = try row.decode("user_agent")
        return AuditRecord(
            chain: chain, sequence: try row.decode("seq"), id: try row.decode("id"), createdAt: try row.decode("created_at"),
            event: event, previousHash: try row.decode("prev_hash"), hash: try row.decode("hash"))
    }

}

/// The audit chain's key: given, or made or opened once and then kept.
final class AuditKeyring: Sendable {
    private let create: (@Sendable () async throws -> AuditChain)?
    private let read: (@Sendable (any SQLExecutor) async throws -> AuditChain?)?
    private let loaded = Mutex<AuditChain?>(nil)

    init(_ chain: AuditChain) {
        self.create = nil
        self.read = nil
        loaded.withLock { $0 = chain }
    }

    init(
        create: @escaping @Sendable () async throws -> AuditChain,
        read: @escaping @Sendable (any SQLExecutor) async throws -> AuditChain?
    ) {
        self.create = create
        self.read = read
    }

    /// The chain. Inside a caller's transaction (`executor`) the key is only read, never made: a key made there
    /// would vanish if that transaction rolled back while this process went on using it.
    func chain(on executor: (any SQLExecutor)?) async throws -> AuditChain {
        if let chain = loaded.withLock({ $0 }) { return chain }
        let chain: AuditChain
        if let executor {
            guard let stored = try await read?(executor) else {
                throw StoreError(.backend, "the audit key has not been made yet; the server makes it when it starts")
            }
            chain = stored
        } else if let create {
            chain = try await create()
        } else {
            throw StoreError(.backend, "no audit key")
        }
        loaded.withLock { $0 = chain }
        return chain
    }
}
