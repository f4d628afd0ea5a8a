extension Migration {
    /// Change proposals between ontology branches, and their comments, approvals and status changes.
    static let createOntologyProposals: Migration = {
        let statements = [
            """
            CREATE TABLE ontology_proposals (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                id TEXT NOT NULL,
                source TEXT NOT NULL,
                target TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                status TEXT NOT NULL,
                author TEXT NOT NULL,
                reviewers TEXT NOT NULL,
                merged_commit TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, id)
            )
            """,
            "CREATE INDEX ontology_proposals_by_status ON ontology_proposals (organization_id, status, created_at DESC)",
            """
            CREATE TABLE ontology_proposal_events (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                id TEXT NOT NULL,
                proposal_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                author TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, id)
            )
            """,
            "CREATE INDEX ontology_proposal_events_by_proposal ON ontology_proposal_events (organization_id, proposal_id, created_at)",
        ]
        return Migration(version: 9, name: "create_ontology_proposals", sqlite: statements, postgres: statements)
    }()
}
