extension Migration {
    /// PostgreSQL roles for least privilege: `app_readonly`, `app_readwrite` (no UPDATE or TRUNCATE on the audit
    /// log) and `app_admin`, with grants on every table, also those later migrations create. Skipped, with a
    /// notice, when the migrating user may not create roles. SQLite has no roles: nothing to do there.
    static let createDatabaseRoles = Migration(
        version: 5,
        name: "create_database_roles",
        sqlite: [],
        postgres: [
            """
            DO $$
            DECLARE
                role_name TEXT;
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolcreaterole OR rolsuper)) THEN
                    RAISE NOTICE 'arbiter: % may not create roles; skipping app_readonly, app_readwrite and app_admin', current_user;
                    RETURN;
                END IF;
                FOREACH role_name IN ARRAY ARRAY['app_readonly', 'app_readwrite', 'app_admin'] LOOP
                    BEGIN
                        EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN
                        NULL;  -- Roles are shared by every database of the server; another database made it.
                    END;
                END LOOP;
                EXECUTE format('GRANT CONNECT ON DATABASE %I TO app_readonly, app_readwrite, app_admin', current_database());
                GRANT USAGE ON SCHEMA public TO app_readonly, app_readwrite, app_admin;
                GRANT CREATE ON SCHEMA public TO app_admin;
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO app_readonly;
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_readwrite;
                REVOKE UPDATE, TRUNCATE ON audit_log FROM app_readwrite;
                GRANT ALL ON ALL TABLES IN SCHEMA public TO app_admin;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO app_readonly;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_readwrite;
                ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO app_admin;
            END
            $$
            """
        ]
    )
}
