extension Migration {
    /// The append-only, hash-chained audit log: one chain per event class, its head, its pruning anchor, and
    /// triggers that refuse UPDATE and DELETE (DELETE only with a pruning permit, inside the pruning transaction).
    static let createAuditLog: Migration = {
        let genesis = String(repeating: "0", count: 64)
        let common = [
            """
            CREATE TABLE audit_log (
                chain TEXT NOT NULL,
                seq BIGINT NOT NULL,
                id TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                organization_id TEXT,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT,
                outcome TEXT NOT NULL,
                request_id TEXT,
                client_ip TEXT,
                user_agent TEXT,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (chain, seq)
            )
            """,
            "CREATE INDEX audit_log_by_organization ON audit_log (organization_id, created_at)",
            "CREATE INDEX audit_log_by_time ON audit_log (created_at)",
            "CREATE TABLE audit_chain_heads (chain TEXT PRIMARY KEY, last_seq BIGINT NOT NULL, last_hash TEXT NOT NULL)",
            "INSERT INTO audit_chain_heads (chain, last_seq, last_hash) VALUES ('auth', 0, '\(genesis)'), ('admin', 0, '\(genesis)'), ('system', 0, '\(genesis)')",
            """
            CREATE TABLE audit_anchors (
                chain TEXT PRIMARY KEY,
                through_seq BIGINT NOT NULL,
                last_hash TEXT NOT NULL,
                pruned_total BIGINT NOT NULL,
                pruned_at BIGINT NOT NULL
            )
            """,
            "CREATE TABLE audit_prune_permits (chain TEXT PRIMARY KEY)",
        ]
        let sqlite =
            common + [
                """
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
                """,
                """
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                WHEN NOT EXISTS (SELECT 1 FROM audit_prune_permits WHERE chain = OLD.chain)
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
                """,
            ]
        let postgres =
            common + [
                """
                CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_prune_permits WHERE chain = OLD.chain) THEN
                        RETURN OLD;
                    END IF;
                    RAISE EXCEPTION 'audit_log is append-only';
                END
                $$
                """,
                "CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_guard()",
                "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()",
            ]
        return Migration(version: 3, name: "create_audit_log", sqlite: sqlite, postgres: postgres)
    }()
}
