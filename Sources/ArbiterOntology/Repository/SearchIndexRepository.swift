import ArbiterCore
import ArbiterStore
import Foundation

/// Where a branch's search index stands.
public struct SearchIndexState: Sendable, Equatable {
    public enum Phase: String, Sendable { case building, ready, failed }
    public let branch: String
    public let phase: Phase
    /// The generation searched, the commit it reflects, how many terms it holds and when it was switched to.
    public let activeGeneration: Int64?
    public let activeCommit: String?
    public let activeEntries: Int?
    public let builtAt: Date?
    /// The generation being built, with its progress (0–100), start, last sign of life and expected end.
    public let buildingGeneration: Int64?
    public let progress: Int?
    public let startedAt: Date?
    public let heartbeatAt: Date?
    public let estimatedCompletion: Date?
    /// Why the last build failed.
    public let error: String?
}

/// One resource a search found, with what matched.
public struct SearchHit: Sendable, Equatable {
    public struct Match: Sendable, Equatable {
        public let field: SearchField
        public let text: String
    }
    public let resource: ResourceKey
    public let matches: [Match]
}

/// The ontology's search index in the database, one per branch, built in generations: a build writes a new
/// generation beside the active one and ``activate(organizationID:branch:generation:commit:entries:)`` switches in
/// one statement; a search reads the active generation in one statement, so it sees the old index or the new one,
/// never a part of either.
public struct SearchIndexRepository: Sendable {
    let database: any SQLDatabase
    let clock: any WallClock

    public init(database: any SQLDatabase, clock: any WallClock) {
        self.database = database
        self.clock = clock
    }

    public func state(organizationID: String, branch: String) async throws -> SearchIndexState? {
        try await database.read { executor in
            try await executor.first(
                "SELECT * FROM ontology_search_indexes WHERE organization_id = \(organizationID) AND branch = \(branch)"
            ).map(Self.state)
        }
    }

    /// Starts a build of a new generation and returns its number, or `nil` when a build whose last sign of life is
    /// newer than `staleAfter` is running (one builder per branch across every replica).
    public func begin(organizationID: String, branch: String, staleAfter: Duration) async throws -> Int64? {
        let now = clock.now()
        let stale = now.addingTimeInterval(-Double(staleAfter.components.seconds))
        return try await database.autocommit { executor in
            try await executor.first(
                """
                INSERT INTO ontology_search_indexes AS i (organization_id, branch, last_generation, state, building_generation, progress, started_at,
                    heartbeat_at)
                VALUES (\(organizationID), \(branch), 1, 'building', 1, 0, \(now), \(now))
                ON CONFLICT (organization_id, branch) DO UPDATE SET last_generation = i.last_generation + 1, state = 'building',
                    building_generation = i.last_generation + 1, progress = 0, started_at = \(now), heartbeat_at = \(now), eta = NULL, error = NULL
                WHERE i.state <> 'building' OR i.heartbeat_at < \(stale)
                RETURNING building_generation
                """
            )?.decode("building_generation")
        }
    }

    /// Adds terms to a generation being built, 200 to a statement.
    public func insert(_ entries: [SearchEntry], organizationID: String, branch: String, generation: Int64) async throws {
        guard !entries.isEmpty else { return }
        try await database.transaction { executor in
            for start in stride(from: 0, to: entries.count, by: 200) {
                var values: SQLQuery = ""
                for (index, entry) in entries[start..<min(start + 200, entries.count)].enumerated() {
                    let row: SQLQuery =
                        "(\(organizationID), \(branch), \(generation), \(entry.term), \(entry.field.rawValue), \(entry.resource.kind.rawValue), \(entry.resource.id), \(entry.text))"
                    values = index == 0 ? row : "\(values), \(row)"
                }
                try await executor.query(
                    """
                    INSERT INTO ontology_search_entries (organization_id, branch, generation, term, field, resource_kind, resource_id, text)
                    VALUES \(values)
                    """)
            }
        }
    }

    /// Records a build's progress; `false` when the build is no longer this generation's (another replica took
    /// over a build it thought dead), which must stop.
    public func progress(organizationID: String, branch: String, generation: Int64, percent: Int, estimatedCompletion: Date?) async throws -> Bool {
        let now = clock.now()
        return try await database.autocommit { executor in
            try await !executor.query(
                """
                UPDATE ontology_search_indexes SET progress = \(min(100, max(0, percent))), heartbeat_at = \(now), eta = \(estimatedCompletion)
                WHERE organization_id = \(organizationID) AND branch = \(branch) AND building_generation = \(generation) AND state = 'building'
                RETURNING branch
                """
            ).isEmpty
        }
    }

    /// Makes a finished generation the one searched, in one statement, then drops every other generation.
    public func activate(organizationID: String, branch: String, generation: Int64, commit: String, entries: Int) async throws -> Bool {
        let now = clock.now()
        let switched = try await database.autocommit { executor in
            try await !executor.query(
                """
                UPDATE ontology_search_indexes SET active_generation = \(generation), active_commit = \(commit), active_entries = \(entries),
                    built_at = \(now), state = 'ready', building_generation = NULL, progress = 100, heartbeat_at = \(now), eta = NULL, error = NULL
                WHERE organization_id = \(organizationID) AND branch = \(branch) AND building_generation = \(generation) AND state = 'building'
                RETURNING branch
                """
            ).isEmpty
        }
        try await dropInactive(organizationID: organizationID, branch: branch)
        return switched
    }

    /// Ends a build that failed: the active generation stays searched, the partial one is dropped.
    public func fail(organizationID: String, branch: String, generation: Int64, error: String) async throws {
        let now = clock.now()
        try await database.autocommit { executor in
            try await executor.query(
                """
                UPDATE ontology_search_indexes SET state = 'failed', building_generation = NULL, heartbeat_at = \(now), eta = NULL,
                    error = \(String(error.prefix(1000)))
                WHERE organization_id = \(organizationID) AND branch = \(branch) AND building_generation = \(generation)
                """)
        }
        try await dropInactive(organizationID: organizationID, branch: branch)
    }

    /// Deletes the terms of every generation that is neither searched nor being built.
    func dropInactive(organizationID: String, branch: String) async throws {
        try await database.autocommit { executor in
            try await executor.query(
                """
                DELETE FROM ontology_search_entries WHERE organization_id = \(organizationID) AND branch = \(branch)
                  AND generation NOT IN (
                    SELECT COALESCE(active_generation, -1) FROM ontology_search_indexes WHERE organization_id = \(organizationID) AND branch = \(branch)
                    UNION ALL
                    SELECT COALESCE(building_generation, -1) FROM ontology_search_indexes WHERE organization_id = \(organizationID) AND branch = \(branch))
                """)
        }
    }

    /// Resources with a term that starts with `prefix` (lower-cased), in the active generation, optionally only
    /// through `field`; at most `limit` resources, by kind and id. Read in one statement together with the commit
    /// that generation reflects (`nil` when the branch has no index yet), so the two always agree. The generation
    /// is a scalar subquery so that it, and then the term range, bound the index scan.
    public func search(
        organizationID: String, branch: String, prefix: String, field: SearchField?, limit: Int
    ) async throws -> (commit: String?, hits: [SearchHit]) {
        let lowered = prefix.lowercased()
        let upper = SearchIndexer.upperBound(forPrefix: lowered)
        let rows = try await database.read { executor in
            try await executor.query(
                """
                SELECT i.active_commit, e.resource_kind, e.resource_id, e.field, e.text FROM ontology_search_indexes i
                LEFT JOIN ontology_search_entries e ON e.organization_id = \(organizationID) AND e.branch = \(branch)
                  AND e.generation = (
                    SELECT active_generation FROM ontology_search_indexes WHERE organization_id = \(organizationID) AND branch = \(branch))
                  AND e.term >= \(lowered) AND e.term < \(upper)
                  AND (CAST(\(field?.rawValue) AS TEXT) IS NULL OR e.field = \(field?.rawValue))
                WHERE i.organization_id = \(organizationID) AND i.branch = \(branch)
                ORDER BY e.resource_kind, e.resource_id, e.field, e.text
                LIMIT \(limit * 20)
                """)
        }
        var hits: [SearchHit] = []
        var commit: String?
        for row in rows {
            commit = try row.decode("active_commit", as: String?.self)
            guard let kindName = try row.decode("resource_kind", as: String?.self), let kind = ResourceKind(rawValue: kindName),
                let field = SearchField(rawValue: try row.decode("field"))
            else { continue }
            let key = ResourceKey(kind, try row.decode("resource_id"))
            let match = SearchHit.Match(field: field, text: try row.decode("text"))
            if let last = hits.last, last.resource == key {
                if !last.matches.contains(match) { hits[hits.count - 1] = SearchHit(resource: key, matches: last.matches + [match]) }
            } else {
                guard hits.count < limit else { break }
                hits.append(SearchHit(resource: key, matches: [match]))
            }
        }
        return (commit, hits)
    }

    static func state(_ row: SQLRow) throws -> SearchIndexState {
        SearchIndexState(
            branch: try row.decode("branch"), phase: SearchIndexState.Phase(rawValue: try row.decode("state")) ?? .failed,
            activeGeneration: try row.decode("active_generation"), activeCommit: try row.decode("active_commit"),
            activeEntries: try row.decode("active_entries"), builtAt: try row.decode("built_at"),
            buildingGeneration: try row.decode("building_generation"), progress: try row.decode("progress"),
            startedAt: try row.decode("started_at"), heartbeatAt: try row.decode("heartbeat_at"), estimatedCompletion: try row.decode("eta"),
            error: try row.decode("error"))
    }
}
