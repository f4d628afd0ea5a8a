extension Migration {
    /// The single row that names this Arbiter installation.
    static let createInstance = Migration(
        version: 1,
        name: "create_instance",
        sqlite: [
            """
            CREATE TABLE arbiter_instance (
                singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                instance_id TEXT NOT NULL,
                created_at INTEGER NOT NULL
            )
            """
        ],
        postgres: [
            """
            CREATE TABLE arbiter_instance (
                singleton SMALLINT PRIMARY KEY CHECK (singleton = 1),
                instance_id TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """
        ]
    )
}
