extension Migration {
    /// Reviews per organization: the findings and summary as JSON text (the store does not interpret them), and the
    /// content hash that lets an identical request reuse an earlier result.
    static let createReviews: Migration = {
        let statements = [
            """
            CREATE TABLE reviews (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                content_hash TEXT NOT NULL,
                analyzer_version TEXT NOT NULL,
                file_count INTEGER NOT NULL,
                byte_count BIGINT NOT NULL,
                finding_count INTEGER NOT NULL,
                duration_ms DOUBLE PRECISION NOT NULL,
                summary TEXT NOT NULL,
                findings TEXT NOT NULL
            )
            """,
            "CREATE INDEX reviews_by_organization ON reviews (organization_id, created_at DESC, id DESC)",
            "CREATE INDEX reviews_by_content ON reviews (organization_id, content_hash, created_at DESC)",
        ]
        return Migration(version: 6, name: "create_reviews", sqlite: statements, postgres: statements)
    }()
}
