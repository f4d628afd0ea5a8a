extension Migration {
    /// Organizations (tenants), users, memberships with roles, refresh-token families and API keys.
    static let createIdentity: Migration = {
        let roles = "('viewer', 'developer', 'reviewer', 'maintainer', 'admin')"
        let statements = [
            "CREATE TABLE organizations (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                disabled BOOLEAN NOT NULL DEFAULT FALSE,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE memberships (
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                user_id TEXT NOT NULL REFERENCES users (id),
                role TEXT NOT NULL CHECK (role IN \(roles)),
                created_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, user_id)
            )
            """,
            "CREATE INDEX memberships_by_user ON memberships (user_id)",
            """
            CREATE TABLE refresh_tokens (
                id TEXT PRIMARY KEY,
                family_id TEXT NOT NULL,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                user_id TEXT NOT NULL REFERENCES users (id),
                token_hash TEXT NOT NULL UNIQUE,
                issued_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id)",
            "CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at)",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations (id),
                name TEXT NOT NULL,
                prefix TEXT NOT NULL UNIQUE,
                key_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN \(roles)),
                created_by TEXT NOT NULL REFERENCES users (id),
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                last_used_at BIGINT,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX api_keys_by_organization ON api_keys (organization_id, created_at)",
        ]
        return Migration(version: 2, name: "create_identity", sqlite: statements, postgres: statements)
    }()
}
