import ArbiterCore
import ArbiterStore
import Foundation

/// A change proposal: merge `source` into `target` once reviewed.
public struct Proposal: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case draft, open, approved, merged, rejected
    }

    public let id: String
    public let source: String
    public let target: String
    public let title: String
    public let description: String
    public let status: Status
    public let author: String
    public let reviewers: [String]
    public let mergedCommit: String?
    public let createdAt: Date
    public let updatedAt: Date
}

/// Something that happened to a proposal.
public struct ProposalEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case comment, approval, status
    }

    public let id: String
    public let kind: Kind
    public let author: String
    public let body: String
    public let createdAt: Date
}

/// Proposals and their events, per organization.
public struct ProposalRepository: Sendable {
    let database: any SQLDatabase
    let ids: any IDGenerator
    let clock: any WallClock

    public init(database: any SQLDatabase, ids: any IDGenerator, clock: any WallClock) {
        self.database = database
        self.ids = ids
        self.clock = clock
    }

    public func create(
        organizationID: String, source: String, target: String, title: String, description: String, draft: Bool, author: String, reviewers: [String]
    ) async throws -> Proposal {
        let now = clock.now()
        let proposal = Proposal(
            id: ids.next(), source: source, target: target, title: title, description: description, status: draft ? .draft : .open, author: author,
            reviewers: reviewers, mergedCommit: nil, createdAt: now, updatedAt: now)
        let reviewersJSON = String(decoding: try JSONEncoder().encode(reviewers), as: UTF8.self)
        try await database.transaction { executor in
            try await executor.query(
                """
                INSERT INTO ontology_proposals (organization_id, id, source, target, title, description, status, author, reviewers, merged_commit,
                    created_at, updated_at)
                VALUES (\(organizationID), \(proposal.id), \(source), \(target), \(title), \(description), \(proposal.status.rawValue), \(author),
                    \(reviewersJSON), NULL, \(now), \(now))
                """)
        }
        return proposal
    }

    public func find(organizationID: String, id: String) async throws -> Proposal? {
        try await database.read { executor in
            try await executor.first("SELECT * FROM ontology_proposals WHERE organization_id = \(organizationID) AND id = \(id)").map(Self.proposal)
        }
    }

    /// Newest first, optionally of one status, at most `limit`.
    public func list(organizationID: String, status: Proposal.Status?, limit: Int) async throws -> [Proposal] {
        try await database.read { executor in
            try await executor.query(
                """
                SELECT * FROM ontology_proposals WHERE organization_id = \(organizationID)
                  AND (CAST(\(status?.rawValue) AS TEXT) IS NULL OR status = \(status?.rawValue))
                ORDER BY created_at DESC, id DESC LIMIT \(min(max(limit, 1), 100))
                """
            ).map(Self.proposal)
        }
    }

    public func events(organizationID: String, proposalID: String) async throws -> [ProposalEvent] {
        try await database.read { executor in
            try await executor.query(
                """
                SELECT * FROM ontology_proposal_events WHERE organization_id = \(organizationID) AND proposal_id = \(proposalID)
                ORDER BY created_at, id LIMIT 1000
                """
            ).map { row in
                ProposalEvent(
                    id: try row.decode("id"), kind: ProposalEvent.Kind(rawValue: try row.decode("kind")) ?? .comment, author: try row.decode("author"),
                    body: try row.decode("body"), createdAt: try row.decode("created_at"))
            }
        }
    }

    /// Records an event and, when `status` is given, moves the proposal there if it is still in one of `from`.
    /// Returns the proposal after the change, or `nil` when its status was not one of `from`.
    public func record(
        organizationID: String, proposalID: String, kind: ProposalEvent.Kind, author: String, body: String,
        status: (to: Proposal.Status, from: Set<Proposal.Status>, mergedCommit: String?)? = nil
    ) async throws -> Proposal? {
        let now = clock.now()
        let eventID = ids.next()
        return try await database.transaction { executor in
            let lock: SQLQuery = executor.dialect == .postgres ? " FOR UPDATE" : ""
            guard
                let row = try await executor.first(
                    "SELECT * FROM ontology_proposals WHERE organization_id = \(organizationID) AND id = \(proposalID)\(lock)")
            else { return nil }
            var proposal = try Self.proposal(row)
            if let status {
                guard status.from.contains(proposal.status) else { return nil }
                try await executor.query(
                    """
                    UPDATE ontology_proposals SET status = \(status.to.rawValue), merged_commit = \(status.mergedCommit), updated_at = \(now)
                    WHERE organization_id = \(organizationID) AND id = \(proposalID)
                    """)
                proposal = Proposal(
                    id: proposal.id, source: proposal.source, target: proposal.target, title: proposal.title, description: proposal.description,
                    status: status.to, author: proposal.author, reviewers: proposal.reviewers, mergedCommit: status.mergedCommit ?? proposal.mergedCommit,
                    createdAt: proposal.createdAt, updatedAt: now)
            }
            try await executor.query(
                """
                INSERT INTO ontology_proposal_events (organization_id, id, proposal_id, kind, author, body, created_at)
                VALUES (\(organizationID), \(eventID), \(proposalID), \(kind.rawValue), \(author), \(body), \(now))
                """)
            return proposal
        }
    }

    static func proposal(_ row: SQLRow) throws -> Proposal {
        let reviewers: String = try row.decode("reviewers")
        return Proposal(
            id: try row.decode("id"), source: try row.decode("source"), target: try row.decode("target"), title: try row.decode("title"),
            description: try row.decode("description"), status: Proposal.Status(rawValue: try row.decode("status")) ?? .open,
            author: try row.decode("author"), reviewers: (try? JSONDecoder().decode([String].self, from: Data(reviewers.utf8))) ?? [],
            mergedCommit: row["merged_commit"].flatMap { String(sqlValue: $0) }, createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"))
    }
}
