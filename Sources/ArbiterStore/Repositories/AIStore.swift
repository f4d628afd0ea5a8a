import ArbiterCore
import Foundation

/// A provider as stored: its settings are a JSON document the AI layer writes and validates.
public struct StoredProvider: Equatable, Sendable {
    public let name: String
    public let settingsJSON: String
    public let createdBy: String
    public let createdAt: Date
    public let updatedAt: Date
}

/// An organization's reviewer configuration as stored, with a revision that grows with every change.
public struct StoredReviewerConfig: Equatable, Sendable {
    public let document: String
    public let revision: Int64
    public let updatedBy: String
    public let updatedAt: Date
}

/// Tokens and cost of one answered model call.
public struct UsageRecord: Equatable, Sendable {
    public var id: String
    public var organizationID: String
    public var reviewID: String?
    public var actor: String
    public var provider: String
    public var model: String
    public var promptVersion: String
    public var inputTokens: Int
    public var outputTokens: Int
    public var estimated: Bool
    public var costMicros: Int64
    public var createdAt: Date

    public init(
        id: String, organizationID: String, reviewID: String?, actor: String, provider: String, model: String, promptVersion: String,
        inputTokens: Int, outputTokens: Int, estimated: Bool, costMicros: Int64, createdAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.reviewID = reviewID
        self.actor = actor
        self.provider = provider
        self.model = model
        self.promptVersion = promptVersion
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.estimated = estimated
        self.costMicros = costMicros
        self.createdAt = createdAt
    }

    /// The UTC day a usage belongs to, `YYYY-MM-DD`.
    public static func day(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

/// Usage summed over one group (a model, a day).
public struct UsageTotal: Equatable, Sendable {
    public let key: String
    public let calls: Int
    public let inputTokens: Int64
    public let outputTokens: Int64
    public let costMicros: Int64

    public init(key: String, calls: Int, inputTokens: Int64, outputTokens: Int64, costMicros: Int64) {
        self.key = key
        self.calls = calls
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costMicros = costMicros
    }
}

/// Providers, reviewer configurations, usage and the shared answer cache. Everything but the cache is per
/// organization; the cache is keyed by hashes that include the organization.
public struct AIStore: Sendable {
    let database: any SQLDatabase
    let audit: AuditLog
    let clock: any WallClock

    public init(database: any SQLDatabase, audit: AuditLog, clock: any WallClock) {
        self.database = database
        self.audit = audit
        self.clock = clock
    }

    // MARK: Providers

    /// Creates or replaces a provider; `true` when it was new. Audited.
    @discardableResult
    public func putProvider(organizationID: String, name: String, settingsJSON: String, by actor: Actor) async throws -> Bool {
        let now = clock.now()
        return try await database.transaction { executor in
            let existed = try await executor.first(
                "SELECT name FROM ai_providers WHERE organization_id = \(organizationID) AND name = \(name)") != nil
            try await executor.query(
                """
                INSERT INTO ai_providers (organization_id, name, settings, created_by, created_at, updated_at)
                VALUES (\(organizationID), \(name), \(settingsJSON), \(actor.reference), \(now), \(now))
                ON CONFLICT (organization_id, name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
                """)
            try await audit.append(
                AuditEvent(
                    .admin, action: existed ? "ai_provider.update" : "ai_provider.create", actor: actor.reference,
                    organizationID: organizationID, target: "ai_provider:\(name)", origin: actor.origin),
                on: executor)
            return !existed
        }
    }

    public func providers(organizationID: String) async throws -> [StoredProvider] {
        try await database.read { executor in
            try await executor.query(
                "SELECT * FROM ai_providers WHERE organization_id = \(organizationID) ORDER BY name LIMIT 1000"
            ).map(Self.provider)
        }
    }

    public func provider(organizationID: String, name: String) async throws -> StoredProvider? {
        try await database.read { executor in
            try await executor.first("SELECT * FROM ai_providers WHERE organization_id = \(organizationID) AND name = \(name)").map(Self.provider)
        }
    }

    /// Deletes a provider; `false` when there was none. Audited.
    public func deleteProvider(organizationID: String, name: String, by actor: Actor) async throws -> Bool {
        try await database.transaction { executor in
            let deleted = try await executor.query(
                "DELETE FROM ai_providers WHERE organization_id = \(organizationID) AND name = \(name) RETURNING name")
            guard !deleted.isEmpty else { return false }
            try await audit.append(
                AuditEvent(
                    .admin, action: "ai_provider.delete", actor: actor.reference, organizationID: organizationID,
                    target: "ai_provider:\(name)", origin: actor.origin),
                on: executor)
            return true
        }
    }

    static func provider(_ row: SQLRow) throws -> StoredProvider {
        StoredProvider(
            name: try row.decode("name"), settingsJSON: try row.decode("settings"), createdBy: try row.decode("created_by"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    // MARK: Reviewer configuration

    public func reviewerConfig(organizationID: String) async throws -> StoredReviewerConfig? {
        try await database.read { executor in
            try await executor.first("SELECT * FROM reviewer_configs WHERE organization_id = \(organizationID)").map(Self.config)
        }
    }

    /// Replaces the configuration. With `expectedRevision`, refuses (returns `nil`) when someone changed it since.
    /// Audited with the new revision.
    public func putReviewerConfig(
        organizationID: String, document: String, expectedRevision: Int64?, by actor: Actor
    ) async throws -> StoredReviewerConfig? {
        let now = clock.now()
        return try await database.transaction { executor in
            let current: Int64 =
                try await executor.first("SELECT revision FROM reviewer_configs WHERE organization_id = \(organizationID)")?
                .decode("revision") ?? 0
            if let expectedRevision, expectedRevision != current { return nil }
            let revision = current + 1
            try await executor.query(
                """
                INSERT INTO reviewer_configs (organization_id, document, revision, updated_by, updated_at)
                VALUES (\(organizationID), \(document), \(revision), \(actor.reference), \(now))
                ON CONFLICT (organization_id) DO UPDATE SET document = excluded.document, revision = excluded.revision,
                    updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """)
            try await audit.append(
                AuditEvent(
                    .admin, action: "reviewer_config.update", actor: actor.reference, organizationID: organizationID,
                    target: "reviewer_config", details: ["revision": String(revision)], origin: actor.origin),
                on: executor)
            return StoredReviewerConfig(document: document, revision: revision, updatedBy: actor.reference, updatedAt: now)
        }
    }

    static func config(_ row: SQLRow) throws -> StoredReviewerConfig {
        StoredReviewerConfig(
            document: try row.decode("document"), revision: try row.decode("revision"), updatedBy: try row.decode("updated_by"),
            updatedAt: try row.decode("updated_at"))
    }

    // MARK: Usage

    public func record(_ usage: [UsageRecord]) async throws {
        guard !usage.isEmpty else { return }
        try await database.transaction { executor in
            for record in usage {
                try await executor.query(
                    """
                    INSERT INTO ai_usage (id, organization_id, review_id, actor, provider, model, prompt_version, input_tokens,
                        output_tokens, estimated, cost_micros, day, created_at)
                    VALUES (\(record.id), \(record.organizationID), \(record.reviewID), \(record.actor), \(record.provider),
                        \(record.model), \(record.promptVersion), \(record.inputTokens), \(record.outputTokens),
                        \(record.estimated ? 1 : 0), \(record.costMicros), \(UsageRecord.day(record.createdAt)), \(record.createdAt))
                    """)
            }
        }
    }

    /// Cost in micro-dollars of the organization's calls on days `from` through `through` (`YYYY-MM-DD`, inclusive).
    public func spent(organizationID: String, from: String, through: String) async throws -> Int64 {
        try await database.read { executor in
            try await executor.first(
                """
                SELECT CAST(COALESCE(SUM(cost_micros), 0) AS BIGINT) AS cost FROM ai_usage
                WHERE organization_id = \(organizationID) AND day >= \(from) AND day <= \(through)
                """)?.decode("cost") ?? 0
        }
    }

    /// Usage of a period grouped three ways.
    public struct Totals: Sendable {
        public let byModel: [UsageTotal]
        public let byDay: [UsageTotal]
        /// Per user or API key (`user:<id>`, `api_key:<id>`).
        public let byActor: [UsageTotal]
    }

    /// Totals per model, per day and per actor for days `from` through `through`.
    public func totals(organizationID: String, from: String, through: String) async throws -> Totals {
        try await database.read { executor in
            func totals(_ rows: [SQLRow]) throws -> [UsageTotal] {
                try rows.map {
                    UsageTotal(
                        key: try $0.decode("key"), calls: try $0.decode("calls"), inputTokens: try $0.decode("input_tokens"),
                        outputTokens: try $0.decode("output_tokens"), costMicros: try $0.decode("cost"))
                }
            }
            let byModel = try await executor.query(
                """
                SELECT provider || '/' || model AS key, COUNT(*) AS calls, CAST(SUM(input_tokens) AS BIGINT) AS input_tokens,
                    CAST(SUM(output_tokens) AS BIGINT) AS output_tokens, CAST(SUM(cost_micros) AS BIGINT) AS cost
                FROM ai_usage WHERE organization_id = \(organizationID) AND day >= \(from) AND day <= \(through)
                GROUP BY provider, model ORDER BY key
                """)
            let byDay = try await executor.query(
                """
                SELECT day AS key, COUNT(*) AS calls, CAST(SUM(input_tokens) AS BIGINT) AS input_tokens,
                    CAST(SUM(output_tokens) AS BIGINT) AS output_tokens, CAST(SUM(cost_micros) AS BIGINT) AS cost
                FROM ai_usage WHERE organization_id = \(organizationID) AND day >= \(from) AND day <= \(through)
                GROUP BY day ORDER BY day
                """)
            let byActor = try await executor.query(
                """
                SELECT actor AS key, COUNT(*) AS calls, CAST(SUM(input_tokens) AS BIGINT) AS input_tokens,
                    CAST(SUM(output_tokens) AS BIGINT) AS output_tokens, CAST(SUM(cost_micros) AS BIGINT) AS cost
                FROM ai_usage WHERE organization_id = \(organizationID) AND day >= \(from) AND day <= \(through)
                GROUP BY actor ORDER BY cost DESC, actor LIMIT 1000
                """)
            return Totals(byModel: try totals(byModel), byDay: try totals(byDay), byActor: try totals(byActor))
        }
    }

    // MARK: Shared cache

    /// A cached answer that has not expired.
    public func cachedAnswer(key: String) async throws -> String? {
        let now = clock.now()
        return try await database.read { executor in
            try await executor.first("SELECT value FROM ai_cache WHERE key = \(key) AND expires_at > \(now)")?.decode("value")
        }
    }

    public func cacheAnswer(_ value: String, key: String, expiresAt: Date) async throws {
        try await database.autocommit { executor in
            try await executor.query(
                """
                INSERT INTO ai_cache (key, value, expires_at) VALUES (\(key), \(value), \(expiresAt))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
                """)
        }
    }

    /// Removes expired cache entries; returns how many.
    @discardableResult
    public func purgeExpiredAnswers() async throws -> Int {
        let now = clock.now()
        return try await database.autocommit { executor in
            try await executor.query("DELETE FROM ai_cache WHERE expires_at <= \(now) RETURNING key").count
        }
    }
}
