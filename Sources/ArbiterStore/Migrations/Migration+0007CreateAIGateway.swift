extension Migration {
    /// The AI gateway: providers and the reviewer configuration per organization (JSON documents the AI layer
    /// validates), token usage and cost per call, and the answer cache every replica shares.
    static let createAIGateway: Migration = {
        let statements = [
            """
            CREATE TABLE ai_providers (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                name TEXT NOT NULL,
                settings TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, name)
            )
            """,
            """
            CREATE TABLE reviewer_configs (
                organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
                document TEXT NOT NULL,
                revision BIGINT NOT NULL,
                updated_by TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE ai_usage (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                review_id TEXT,
                actor TEXT NOT NULL,
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                prompt_version TEXT NOT NULL,
                input_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                estimated INTEGER NOT NULL,
                cost_micros BIGINT NOT NULL,
                day TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX ai_usage_by_day ON ai_usage (organization_id, day)",
            """
            CREATE TABLE ai_cache (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX ai_cache_by_expiry ON ai_cache (expires_at)",
        ]
        return Migration(version: 7, name: "create_ai_gateway", sqlite: statements, postgres: statements)
    }()
}
