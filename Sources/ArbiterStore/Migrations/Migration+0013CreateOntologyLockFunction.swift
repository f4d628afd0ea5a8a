extension Migration {
    /// On PostgreSQL, acquiring an ontology lock in one round trip: a function that takes the branch's advisory
    /// lock, looks for an overlapping live lease with a fresh snapshot, and grants the next fencing token, all in the
    /// caller's statement. It returns the new lease, or the lease in the way. SQLite runs the same steps in a
    /// transaction, in process.
    static let createOntologyLockFunction = Migration(
        version: 13,
        name: "create_ontology_lock_function",
        sqlite: [],
        postgres: [
            """
            CREATE FUNCTION ontology_acquire_lock(
                p_organization_id TEXT, p_id TEXT, p_branch TEXT, p_resource_kind TEXT, p_resource_id TEXT, p_kind TEXT,
                p_holder TEXT, p_reason TEXT, p_now BIGINT, p_expires_at BIGINT
            ) RETURNS SETOF ontology_locks LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
                found_lock ontology_locks;
                token BIGINT;
            BEGIN
                -- The same key the write path takes (LockRepository.serialize); each statement below sees what
                -- committed before this lock was granted.
                PERFORM pg_advisory_xact_lock(hashtextextended('ontology-lock:' || p_organization_id || ':' || p_branch, 0));
                SELECT * INTO found_lock FROM ontology_locks l
                WHERE l.organization_id = p_organization_id AND l.branch = p_branch AND l.expires_at > p_now
                  AND (l.resource_kind IS NULL OR p_resource_kind IS NULL OR (l.resource_kind = p_resource_kind
                       AND (l.resource_id IS NULL OR p_resource_id IS NULL OR l.resource_id = p_resource_id)))
                ORDER BY l.fencing_token LIMIT 1;
                IF FOUND THEN
                    RETURN NEXT found_lock;
                    RETURN;
                END IF;
                INSERT INTO ontology_lock_tokens AS t (organization_id, last) VALUES (p_organization_id, 1)
                ON CONFLICT (organization_id) DO UPDATE SET last = t.last + 1 RETURNING t.last INTO token;
                INSERT INTO ontology_locks (organization_id, id, branch, resource_kind, resource_id, kind, holder, fencing_token, reason,
                    progress, eta, acquired_at, expires_at)
                VALUES (p_organization_id, p_id, p_branch, p_resource_kind, p_resource_id, p_kind, p_holder, token, p_reason,
                    NULL, NULL, p_now, p_expires_at)
                RETURNING * INTO found_lock;
                RETURN NEXT found_lock;
            END
            $$
            """
        ]
    )
}
