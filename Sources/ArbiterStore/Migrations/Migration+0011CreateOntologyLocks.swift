extension Migration {
    /// Leases on parts of the ontology (a branch, a resource type on it, or one resource), shared by every replica,
    /// with a per-organization counter for fencing tokens.
    static let createOntologyLocks: Migration = {
        let statements = [
            """
            CREATE TABLE ontology_locks (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                id TEXT NOT NULL,
                branch TEXT NOT NULL,
                resource_kind TEXT,
                resource_id TEXT,
                kind TEXT NOT NULL,
                holder TEXT NOT NULL,
                fencing_token BIGINT NOT NULL,
                reason TEXT,
                progress INTEGER,
                eta BIGINT,
                acquired_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, id)
            )
            """,
            "CREATE INDEX ontology_locks_by_branch ON ontology_locks (organization_id, branch, expires_at)",
            "CREATE TABLE ontology_lock_tokens (organization_id TEXT PRIMARY KEY REFERENCES organizations (id), last BIGINT NOT NULL)",
        ]
        return Migration(version: 11, name: "create_ontology_locks", sqlite: statements, postgres: statements)
    }()
}
