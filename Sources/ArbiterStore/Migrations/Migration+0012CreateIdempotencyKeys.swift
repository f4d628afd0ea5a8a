extension Migration {
    /// The first response to each `Idempotency-Key`, per caller, so a retried unsafe request is answered from here
    /// instead of running twice. A row is claimed (`pending`) before the request runs and completed with its
    /// response; rows expire after a day.
    static let createIdempotencyKeys: Migration = {
        func statements(blob: String) -> [String] {
            [
                """
                CREATE TABLE idempotency_keys (
                    caller TEXT NOT NULL,
                    key TEXT NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'completed')),
                    status INTEGER,
                    headers TEXT,
                    body \(blob),
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    PRIMARY KEY (caller, key)
                )
                """,
                "CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at)",
            ]
        }
        return Migration(version: 12, name: "create_idempotency_keys", sqlite: statements(blob: "BLOB"), postgres: statements(blob: "BYTEA"))
    }()
}
