extension Migration {
    /// The ontology's search index, per branch, in generations: a rebuild writes a new generation beside the one
    /// searched and switches with one update of `ontology_search_indexes`, so no search sees a half-built index.
    static let createOntologySearchIndex: Migration = {
        func statements(byteOrder: String) -> [String] {
            [
                """
                CREATE TABLE ontology_search_indexes (
                    organization_id TEXT NOT NULL REFERENCES organizations (id),
                    branch TEXT NOT NULL,
                    last_generation BIGINT NOT NULL,
                    active_generation BIGINT,
                    active_commit TEXT,
                    active_entries INTEGER,
                    built_at BIGINT,
                    state TEXT NOT NULL CHECK (state IN ('building', 'ready', 'failed')),
                    building_generation BIGINT,
                    progress INTEGER,
                    started_at BIGINT,
                    heartbeat_at BIGINT,
                    eta BIGINT,
                    error TEXT,
                    PRIMARY KEY (organization_id, branch)
                )
                """,
                """
                CREATE TABLE ontology_search_entries (
                    organization_id TEXT NOT NULL,
                    branch TEXT NOT NULL,
                    generation BIGINT NOT NULL,
                    term TEXT\(byteOrder) NOT NULL,
                    field TEXT NOT NULL,
                    resource_kind TEXT NOT NULL,
                    resource_id TEXT NOT NULL,
                    text TEXT NOT NULL
                )
                """,
                "CREATE INDEX ontology_search_entries_by_term ON ontology_search_entries (organization_id, branch, generation, term)",
            ]
        }
        // Terms are compared as bytes, so a prefix is a range the index answers on either backend.
        return Migration(
            version: 14, name: "create_ontology_search_index", sqlite: statements(byteOrder: ""), postgres: statements(byteOrder: " COLLATE \"C\""))
    }()
}
