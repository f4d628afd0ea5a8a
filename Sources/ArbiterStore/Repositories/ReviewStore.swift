import ArbiterCore
import Foundation

/// A stored review. Findings and summary are JSON written by the review layer; the store keeps them as they are.
public struct StoredReview: Equatable, Sendable {
    public let id: String
    public let organizationID: String
    public let createdBy: String
    public let createdAt: Date
    public let contentHash: String
    public let analyzerVersion: String
    public let fileCount: Int
    public let byteCount: Int
    public let findingCount: Int
    public let durationMilliseconds: Double
    public let summaryJSON: String
    public let findingsJSON: String

    public init(
        id: String, organizationID: String, createdBy: String, createdAt: Date, contentHash: String, analyzerVersion: String,
        fileCount: Int, byteCount: Int, findingCount: Int, durationMilliseconds: Double, summaryJSON: String, findingsJSON: String
    ) {
        self.id = id
        self.organizationID = organizationID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.contentHash = contentHash
        self.analyzerVersion = analyzerVersion
        self.fileCount = fileCount
        self.byteCount = byteCount
        self.findingCount = findingCount
        self.durationMilliseconds = durationMilliseconds
        self.summaryJSON = summaryJSON
        self.findingsJSON = findingsJSON
    }
}

/// Reviews, always within one organization: every query filters by it.
public struct ReviewStore: Sendable {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    public func insert(_ review: StoredReview) async throws {
        try await database.autocommit { executor in
            try await executor.query(
                """
                INSERT INTO reviews (id, organization_id, created_by, created_at, content_hash, analyzer_version, file_count,
                    byte_count, finding_count, duration_ms, summary, findings)
                VALUES (\(review.id), \(review.organizationID), \(review.createdBy), \(review.createdAt), \(review.contentHash),
                    \(review.analyzerVersion), \(review.fileCount), \(review.byteCount), \(review.findingCount),
                    \(review.durationMilliseconds), \(review.summaryJSON), \(review.findingsJSON))
                """)
        }
    }

    /// One review of the organization; `nil` when it has none with that id (also when another organization has).
    public func find(organizationID: String, id: String) async throws -> StoredReview? {
        try await database.read { executor in
            try await executor.first("SELECT * FROM reviews WHERE organization_id = \(organizationID) AND id = \(id)").map(Self.review)
        }
    }

    /// The newest review of the organization with this content hash: an earlier answer to the same request.
    public func latest(organizationID: String, contentHash: String) async throws -> StoredReview? {
        try await database.read { executor in
            try await executor.first(
                """
                SELECT * FROM reviews WHERE organization_id = \(organizationID) AND content_hash = \(contentHash)
                ORDER BY created_at DESC LIMIT 1
                """
            ).map(Self.review)
        }
    }

    /// A page of the organization's reviews, newest first.
    public struct Page: Sendable {
        public let reviews: [StoredReview]
        public let nextCursor: String?
    }

    /// At most `limit` (capped at 100) reviews after `cursor`, newest first, without their findings.
    public func list(organizationID: String, limit: Int, cursor: String?) async throws -> Page {
        let limit = min(max(limit, 1), 100)
        let position = cursor.flatMap(PageCursor.init)
        let rows = try await database.read { executor in
            try await executor.query(
                """
                SELECT id, organization_id, created_by, created_at, content_hash, analyzer_version, file_count, byte_count,
                    finding_count, duration_ms, summary, '' AS findings
                FROM reviews
                WHERE organization_id = \(organizationID)
                  AND (CAST(\(position?.createdAt) AS BIGINT) IS NULL OR created_at < \(position?.createdAt)
                       OR (created_at = \(position?.createdAt) AND id < \(position?.id)))
                ORDER BY created_at DESC, id DESC
                LIMIT \(limit + 1)
                """)
        }
        let reviews = try rows.prefix(limit).map(Self.review)
        let next = rows.count > limit ? reviews.last.map { PageCursor(createdAt: $0.createdAt, id: $0.id).text } : nil
        return Page(reviews: reviews, nextCursor: next)
    }

    static func review(_ row: SQLRow) throws -> StoredReview {
        StoredReview(
            id: try row.decode("id"), organizationID: try row.decode("organization_id"), createdBy: try row.decode("created_by"),
            createdAt: try row.decode("created_at"), contentHash: try row.decode("content_hash"),
            analyzerVersion: try row.decode("analyzer_version"), fileCount: try row.decode("file_count"),
            byteCount: try row.decode("byte_count"), findingCount: try row.decode("finding_count"),
            durationMilliseconds: try row.decode("duration_ms"), summaryJSON: try row.decode("summary"),
            findingsJSON: try row.decode("findings"))
    }
}
