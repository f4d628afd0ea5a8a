import ArbiterCore
import Foundation

/// Organizations, users and memberships. Every change is audited in its own transaction.
public struct IdentityStore: Sendable {
    /// The database the store reads and writes, for lookups that combine identities with other tables.
    public let database: any SQLDatabase
    let audit: AuditLog
    let ids: any IDGenerator
    let clock: any WallClock

    public init(database: any SQLDatabase, audit: AuditLog, ids: any IDGenerator, clock: any WallClock) {
        self.database = database
        self.audit = audit
        self.ids = ids
        self.clock = clock
    }

    /// How many user accounts exist; `0` means the installation has not been bootstrapped.
    public func userCount() async throws -> Int {
        try await database.read { executor in
            try await executor.first("SELECT COUNT(*) AS total FROM users")?.decode("total", as: Int.self) ?? 0
        }
    }

    /// Creates an account for `email` as a member of the organization named `organizationName`, creating the
    /// organization when it does not exist yet.
    ///
    /// - Throws: ``StoreError/Code/duplicate`` when the e-mail address already has an account.
    public func createUser(
        email: String, passwordHash: String, organizationName: String, role: Role, by actor: Actor
    ) async throws -> Member {
        let now = clock.now()
        let userID = ids.next()
        let newOrganizationID = ids.next()
        return try await database.transaction { executor in
            let existing = try await executor.first("SELECT id, name FROM organizations WHERE name = \(organizationName)")
            let organizationID: String
            if let existing {
                organizationID = try existing.decode("id")
            } else {
                organizationID = newOrganizationID
                try await executor.query(
                    "INSERT INTO organizations (id, name, created_at) VALUES (\(organizationID), \(organizationName), \(now))")
                try await audit.append(
                    AuditEvent(
                        .admin, action: "organization.create", actor: actor.reference, organizationID: organizationID,
                        target: "organization:\(organizationID)", details: ["name": organizationName], origin: actor.origin),
                    on: executor)
            }
            return try await insertMember(
                executor, userID: userID, email: email, passwordHash: passwordHash, organizationID: organizationID,
                organizationName: organizationName, role: role, now: now, actor: actor)
        }
    }

    /// Creates an account for `email` in an existing organization.
    public func createUser(
        email: String, passwordHash: String, organizationID: String, role: Role, by actor: Actor
    ) async throws -> Member {
        let now = clock.now()
        let userID = ids.next()
        return try await database.transaction { executor in
            guard let organization = try await executor.first("SELECT name FROM organizations WHERE id = \(organizationID)") else {
                throw StoreError(.notFound, "organization \(organizationID) does not exist")
            }
            return try await insertMember(
                executor, userID: userID, email: email, passwordHash: passwordHash, organizationID: organizationID,
                organizationName: try organization.decode("name"), role: role, now: now, actor: actor)
        }
    }

    private func insertMember(
        _ executor: any SQLExecutor, userID: String, email: String, passwordHash: String, organizationID: String,
        organizationName: String, role: Role, now: Date, actor: Actor
    ) async throws -> Member {
        if try await executor.first("SELECT id FROM users WHERE email = \(email)") != nil {
            throw StoreError(.duplicate, "an account for this e-mail address already exists")
        }
        try await executor.query(
            "INSERT INTO users (id, email, password_hash, disabled, created_at) VALUES (\(userID), \(email), \(passwordHash), \(false), \(now))")
        try await executor.query(
            """
            INSERT INTO memberships (organization_id, user_id, role, created_at)
            VALUES (\(organizationID), \(userID), \(role.rawValue), \(now))
            """)
        try await audit.append(
            AuditEvent(
                .admin, action: "user.create", actor: actor.reference, organizationID: organizationID, target: "user:\(userID)",
                details: ["email": email, "role": role.rawValue], origin: actor.origin),
            on: executor)
        return Member(
            userID: userID, email: email, organizationID: organizationID, organizationName: organizationName, role: role,
            disabled: false, joinedAt: now)
    }

    /// The account for `email` and its memberships, for a login; `nil` when there is no such account.
    public func loginCandidate(email: String) async throws -> (UserAccount, [Member])? {
        try await database.read { executor in
            guard let row = try await executor.first("SELECT * FROM users WHERE email = \(email)") else { return nil }
            let user = try Self.user(row)
            let members = try await executor.query(
                """
                SELECT m.user_id, u.email, m.organization_id, o.name AS organization_name, m.role, u.disabled, m.created_at
                FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.user_id = \(user.id) ORDER BY o.name
                """
            ).map(Self.member)
            return (user, members)
        }
    }

    /// The membership of `userID` in `organizationID`, or `nil`.
    public func member(userID: String, organizationID: String) async throws -> Member? {
        try await database.read { executor in
            try await executor.first(
                """
                SELECT m.user_id, u.email, m.organization_id, o.name AS organization_name, m.role, u.disabled, m.created_at
                FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.user_id = \(userID) AND m.organization_id = \(organizationID)
                """
            ).map(Self.member)
        }
    }

    /// The members of `organizationID`, ordered by e-mail address, at most `limit` (capped at 100) after `after`.
    public func members(organizationID: String, limit: Int, after: String?) async throws -> [Member] {
        let limit = min(max(limit, 1), 100)
        return try await database.read { executor in
            try await executor.query(
                """
                SELECT m.user_id, u.email, m.organization_id, o.name AS organization_name, m.role, u.disabled, m.created_at
                FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.organization_id = \(organizationID) AND (CAST(\(after) AS TEXT) IS NULL OR u.email > \(after))
                ORDER BY u.email LIMIT \(limit)
                """
            ).map(Self.member)
        }
    }

    /// Gives `userID` the role `role` in `organizationID`; `nil` when they are not a member there.
    public func changeRole(userID: String, organizationID: String, to role: Role, by actor: Actor) async throws -> Member? {
        try await database.transaction { executor in
            guard
                let previous = try await executor.first(
                    "SELECT role FROM memberships WHERE organization_id = \(organizationID) AND user_id = \(userID)")
            else { return nil }
            let before: String = try previous.decode("role")
            try await executor.query(
                "UPDATE memberships SET role = \(role.rawValue) WHERE organization_id = \(organizationID) AND user_id = \(userID)")
            try await audit.append(
                AuditEvent(
                    .admin, action: "user.role_change", actor: actor.reference, organizationID: organizationID,
                    target: "user:\(userID)", details: ["from": before, "to": role.rawValue], origin: actor.origin),
                on: executor)
            return try await executor.first(
                """
                SELECT m.user_id, u.email, m.organization_id, o.name AS organization_name, m.role, u.disabled, m.created_at
                FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id
                WHERE m.user_id = \(userID) AND m.organization_id = \(organizationID)
                """
            ).map(Self.member)
        }
    }

    /// Replaces a password hash, for rehashing with stronger parameters after a successful login.
    public func replacePasswordHash(userID: String, with hash: String) async throws {
        try await database.transaction { executor in
            try await executor.query("UPDATE users SET password_hash = \(hash) WHERE id = \(userID)")
        }
    }

    static func user(_ row: SQLRow) throws -> UserAccount {
        UserAccount(
            id: try row.decode("id"), email: try row.decode("email"), passwordHash: try row.decode("password_hash"),
            disabled: try row.decode("disabled"), createdAt: try row.decode("created_at"))
    }

    static func member(_ row: SQLRow) throws -> Member {
        Member(
            userID: try row.decode("user_id"), email: try row.decode("email"), organizationID: try row.decode("organization_id"),
            organizationName: try row.decode("organization_name"), role: Role(rawValue: try row.decode("role")) ?? .viewer,
            disabled: try row.decode("disabled"), joinedAt: try row.decode("created_at"))
    }
}
