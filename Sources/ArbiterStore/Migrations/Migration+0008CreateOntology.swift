extension Migration {
    /// The ontology store, per organization: content-addressed documents and tree nodes (a commit shares every node
    /// it did not change with its parent), commits with the resources they changed, and branches pointing at commits.
    static let createOntology: Migration = {
        let statements = [
            """
            CREATE TABLE ontology_documents (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                hash TEXT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (organization_id, hash)
            )
            """,
            """
            CREATE TABLE ontology_tree_nodes (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                hash TEXT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (organization_id, hash)
            )
            """,
            """
            CREATE TABLE ontology_commits (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                id TEXT NOT NULL,
                tree TEXT NOT NULL,
                parents TEXT NOT NULL,
                author TEXT NOT NULL,
                message TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                issue_references TEXT NOT NULL,
                changed TEXT NOT NULL,
                PRIMARY KEY (organization_id, id)
            )
            """,
            """
            CREATE TABLE ontology_branches (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                name TEXT NOT NULL,
                head TEXT NOT NULL,
                protected INTEGER NOT NULL,
                required_approvals INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, name)
            )
            """,
        ]
        return Migration(version: 8, name: "create_ontology", sqlite: statements, postgres: statements)
    }()
}
