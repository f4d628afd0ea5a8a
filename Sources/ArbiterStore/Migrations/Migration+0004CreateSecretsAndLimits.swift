extension Migration {
    /// Encrypted secrets per organization, Arbiter's own sealed keys (the audit chain's), and the counters the
    /// PostgreSQL rate limiter shares between replicas.
    ///
    /// On PostgreSQL the counters table is UNLOGGED: it is written on every request, and losing its contents in a
    /// crash only forgives a minute of requests, so it skips the write-ahead log.
    static let createSecretsAndLimits: Migration = {
        let counters = """
            TABLE rate_limit_counters (
                bucket TEXT NOT NULL,
                window_start BIGINT NOT NULL,
                hits BIGINT NOT NULL,
                PRIMARY KEY (bucket, window_start)
            )
            """
        let common = [
            """
            CREATE TABLE secrets (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                name TEXT NOT NULL,
                key_id TEXT NOT NULL,
                ciphertext TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, name)
            )
            """,
            """
            CREATE TABLE system_keys (
                name TEXT PRIMARY KEY,
                key_id TEXT NOT NULL,
                ciphertext TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
        ]
        let index = "CREATE INDEX rate_limit_counters_by_window ON rate_limit_counters (window_start)"
        return Migration(
            version: 4, name: "create_secrets_and_limits", sqlite: common + ["CREATE " + counters, index],
            postgres: common + ["CREATE UNLOGGED " + counters, index])
    }()
}
