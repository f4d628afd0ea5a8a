extension Migration {
    /// Emergency overrides: a justified request to write to a protected branch without the usual governance, approved
    /// by a different administrator, used at most once, expiring.
    static let createOntologyOverrides: Migration = {
        let statements = [
            """
            CREATE TABLE ontology_overrides (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                id TEXT NOT NULL,
                branch TEXT NOT NULL,
                justification TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                status TEXT NOT NULL,
                decided_by TEXT,
                decided_at BIGINT,
                expires_at BIGINT,
                used_at BIGINT,
                used_commit TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, id)
            )
            """,
            "CREATE INDEX ontology_overrides_by_time ON ontology_overrides (organization_id, created_at DESC)",
        ]
        return Migration(version: 10, name: "create_ontology_overrides", sqlite: statements, postgres: statements)
    }()
}
