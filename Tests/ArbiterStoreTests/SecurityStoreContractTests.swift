import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import Foundation
import Testing

/// The stores behind the security core, with a clock tests can move.
struct SecurityStores: Sendable {
    let database: any SQLDatabase
    let clock: ManualWallClock
    let audit: AuditLog
    let identities: IdentityStore
    let sessions: SessionStore
    let apiKeys: APIKeyStore
    let secrets: SecretStore

    init(_ database: any SQLDatabase, clock: ManualWallClock = ManualWallClock(Date(unixMilliseconds: 1_790_000_000_000))) {
        let ids = UUIDv7Generator(clock: clock)
        self.database = database
        self.clock = clock
        self.audit = AuditLog(database: database, ids: ids, clock: clock, chain: AuditChain(key: Array(repeating: 3, count: 32)))
        self.identities = IdentityStore(database: database, audit: audit, ids: ids, clock: clock)
        self.sessions = SessionStore(database: database, audit: audit, ids: ids, clock: clock)
        self.apiKeys = APIKeyStore(database: database, audit: audit, ids: ids, clock: clock)
        self.secrets = SecretStore(database: database, audit: audit, clock: clock)
    }

    func user(_ email: String, organization: String = "acme", role: Role = .developer) async throws -> Member {
        try await identities.createUser(email: email, passwordHash: "$scrypt$test", organizationName: organization, role: role, by: .system)
    }
}

/// Runs `body` on a migrated database of `backend` with the security stores.
func withSecurityStores(_ backend: TestBackend, _ body: @Sendable (SecurityStores) async throws -> Void) async throws {
    try await withTestDatabase(backend) { database, _ in
        try await Migrator(database: database).migrate()
        try await body(SecurityStores(database))
    }
}

@Suite("Identity contract")
struct IdentityContractTests {
    @Test("creating a user creates its organization once, its membership and audit entries", arguments: TestBackend.available)
    func createUsers(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@example.com", role: .admin)
            let bob = try await stores.user("bob@example.com")
            #expect(alice.organizationID == bob.organizationID)
            #expect(try await stores.identities.userCount() == 2)
            let (account, memberships) = try #require(try await stores.identities.loginCandidate(email: "alice@example.com"))
            #expect(account.id == alice.userID)
            #expect(memberships.map(\.role) == [.admin])
            let actions = try await stores.audit.list(.init(), limit: 100, cursor: nil).records.map(\.event.action)
            #expect(actions.sorted() == ["organization.create", "user.create", "user.create"])
            let error = await #expect(throws: StoreError.self) { try await stores.user("alice@example.com", organization: "other") }
            #expect(error?.code == .duplicate)
        }
    }

    @Test("members and roles are read and changed only within their organization", arguments: TestBackend.available)
    func tenantScoped(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@acme.test", organization: "acme")
            let eve = try await stores.user("eve@globex.test", organization: "globex")
            #expect(try await stores.identities.member(userID: eve.userID, organizationID: alice.organizationID) == nil)
            #expect(try await stores.identities.changeRole(userID: eve.userID, organizationID: alice.organizationID, to: .admin, by: .system) == nil)
            #expect(try await stores.identities.members(organizationID: alice.organizationID, limit: 100, after: nil).map(\.email) == ["alice@acme.test"])
            let promoted = try await stores.identities.changeRole(userID: alice.userID, organizationID: alice.organizationID, to: .maintainer, by: .system)
            #expect(promoted?.role == .maintainer)
            let change = try await stores.audit.list(.init(action: "user.role_change"), limit: 10, cursor: nil).records.first
            #expect(change?.event.details == ["from": "developer", "to": "maintainer"])
        }
    }
}

@Suite("Refresh-token contract")
struct SessionContractTests {
    @Test("a refresh token rotates once; presenting it again revokes the whole family", arguments: TestBackend.available)
    func rotationAndReuse(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@example.com")
            let family = try await stores.sessions.start(userID: alice.userID, organizationID: alice.organizationID, tokenHash: "t1", ttl: .seconds(3600))
            let first = try await stores.sessions.rotate(presented: "t1", next: "t2", ttl: .seconds(3600), origin: .none)
            #expect(first == .rotated(userID: alice.userID, organizationID: alice.organizationID, familyID: family))
            // The thief replays t1: the family dies, so the legitimate holder's t2 is dead too.
            let replay = try await stores.sessions.rotate(presented: "t1", next: "t3", ttl: .seconds(3600), origin: .none)
            #expect(replay == .reused(userID: alice.userID, organizationID: alice.organizationID, familyID: family))
            #expect(try await stores.sessions.rotate(presented: "t2", next: "t4", ttl: .seconds(3600), origin: .none) == .invalid)
            #expect(try await stores.sessions.rotate(presented: "t3", next: "t5", ttl: .seconds(3600), origin: .none) == .invalid)
            let reuse = try await stores.audit.list(.init(action: "auth.refresh_reuse"), limit: 10, cursor: nil).records
            #expect(reuse.count == 1 && reuse.first?.event.outcome == .denied)
        }
    }

    @Test("expired and unknown tokens are invalid", arguments: TestBackend.available)
    func expiry(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@example.com")
            _ = try await stores.sessions.start(userID: alice.userID, organizationID: alice.organizationID, tokenHash: "t1", ttl: .seconds(60))
            stores.clock.advance(by: 61)
            #expect(try await stores.sessions.rotate(presented: "t1", next: "t2", ttl: .seconds(60), origin: .none) == .invalid)
            #expect(try await stores.sessions.rotate(presented: "nope", next: "t3", ttl: .seconds(60), origin: .none) == .invalid)
        }
    }

    @Test("many racing refreshes of one token: exactly one rotates", arguments: TestBackend.available)
    func racingRefreshes(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@example.com")
            _ = try await stores.sessions.start(userID: alice.userID, organizationID: alice.organizationID, tokenHash: "t0", ttl: .seconds(3600))
            let outcomes = try await withThrowingTaskGroup(of: SessionStore.Rotation.self) { group in
                for index in 0..<10 {
                    group.addTask { try await stores.sessions.rotate(presented: "t0", next: "n\(index)", ttl: .seconds(3600), origin: .none) }
                }
                return try await group.reduce(into: [SessionStore.Rotation]()) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .rotated = $0 { true } else { false } }.count == 1)
        }
    }

    @Test("revoking a family ends it", arguments: TestBackend.available)
    func revoke(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@example.com")
            let family = try await stores.sessions.start(userID: alice.userID, organizationID: alice.organizationID, tokenHash: "t1", ttl: .seconds(3600))
            #expect(try await stores.sessions.revokeFamily(family))
            #expect(try await stores.sessions.rotate(presented: "t1", next: "t2", ttl: .seconds(3600), origin: .none) == .invalid)
        }
    }
}

@Suite("API key and secret contract")
struct KeyAndSecretContractTests {
    @Test("API keys are listed, found and revoked within their organization only", arguments: TestBackend.available)
    func apiKeys(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@acme.test", organization: "acme", role: .admin)
            let eve = try await stores.user("eve@globex.test", organization: "globex", role: .admin)
            let key = try await stores.apiKeys.create(
                organizationID: alice.organizationID, name: "ci", prefix: "abcd1234", keyHash: "h", role: .developer, expiresAt: nil,
                by: .system, createdBy: alice.userID)
            #expect(try await stores.apiKeys.list(organizationID: eve.organizationID).isEmpty)
            #expect(try await stores.apiKeys.revoke(id: key.id, organizationID: eve.organizationID, by: .system) == nil)
            #expect(try await stores.apiKeys.find(prefix: "abcd1234")?.0.revokedAt == nil)
            let revoked = try await stores.apiKeys.revoke(id: key.id, organizationID: alice.organizationID, by: .system)
            #expect(revoked?.revokedAt != nil)
            #expect(try await stores.apiKeys.find(prefix: "abcd1234")?.0.isActive(at: stores.clock.now()) == false)
            let duplicate = await #expect(throws: StoreError.self) {
                try await stores.apiKeys.create(
                    organizationID: alice.organizationID, name: "again", prefix: "abcd1234", keyHash: "h2", role: .viewer, expiresAt: nil,
                    by: .system, createdBy: alice.userID)
            }
            #expect(duplicate?.code == .duplicate)
        }
    }

    @Test("secrets are stored per organization and resealed all or nothing", arguments: TestBackend.available)
    func secrets(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            let alice = try await stores.user("alice@acme.test", organization: "acme", role: .admin)
            let eve = try await stores.user("eve@globex.test", organization: "globex", role: .admin)
            #expect(try await stores.secrets.put(organizationID: alice.organizationID, name: "openai", ciphertext: "c1", keyID: "k1", by: .system))
            #expect(try await stores.secrets.put(organizationID: alice.organizationID, name: "openai", ciphertext: "c2", keyID: "k1", by: .system) == false)
            #expect(try await stores.secrets.put(organizationID: eve.organizationID, name: "openai", ciphertext: "e1", keyID: "k1", by: .system))
            #expect(try await stores.secrets.ciphertext(organizationID: alice.organizationID, name: "openai") == "c2")
            #expect(try await stores.secrets.delete(organizationID: eve.organizationID, name: "anthropic", by: .system) == false)
            struct Refuse: Error {}
            await #expect(throws: Refuse.self) {
                try await stores.secrets.reseal(by: .system) { organizationID, _, _ in
                    if organizationID == eve.organizationID { throw Refuse() }
                    return ("new", "k2")
                }
            }
            #expect(try await stores.secrets.ciphertext(organizationID: alice.organizationID, name: "openai") == "c2")
            #expect(try await stores.secrets.reseal(by: .system) { _, _, old in (old + "+", "k2") }.secrets == 2)
            #expect(try await stores.secrets.list(organizationID: eve.organizationID).map(\.keyID) == ["k2"])
        }
    }
}

@Suite("Audit log contract")
struct AuditLogContractTests {
    @Test("entries chain, verify, and page newest first with filters", arguments: TestBackend.available)
    func appendAndList(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            for index in 0..<25 {
                stores.clock.advance(by: 1)
                try await stores.audit.record(
                    AuditEvent(
                        index.isMultiple(of: 5) ? .auth : .admin, action: index.isMultiple(of: 5) ? "auth.login" : "thing.do",
                        actor: "user:\(index % 3)", organizationID: index < 20 ? "org-a" : "org-b",
                        outcome: index.isMultiple(of: 7) ? .failure : .success))
            }
            #expect(try await stores.audit.verify().isEmpty)
            var seen: [AuditRecord] = []
            var cursor: String?
            repeat {
                let page = try await stores.audit.list(.init(organizationID: "org-a"), limit: 7, cursor: cursor)
                seen += page.records
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == 20)
            #expect(seen.map(\.createdAt) == seen.map(\.createdAt).sorted(by: >))
            #expect(Set(seen.map(\.id)).count == 20)
            let failures = try await stores.audit.list(.init(organizationID: "org-a", outcome: .failure), limit: 100, cursor: nil).records
            #expect(failures.count == 3)
            let logins = try await stores.audit.list(.init(action: "auth.login", since: Date(unixMilliseconds: 1_790_000_010_000)), limit: 100, cursor: nil)
            #expect(logins.records.count == 3)
        }
    }

    @Test("the database refuses to update or delete entries", arguments: TestBackend.available)
    func appendOnly(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            try await stores.audit.record(AuditEvent(.admin, action: "thing.do", actor: "user:1", organizationID: "o"))
            await #expect(throws: StoreError.self) {
                try await stores.database.transaction { executor in try await executor.query("UPDATE audit_log SET actor = 'user:2'") }
            }
            await #expect(throws: StoreError.self) {
                try await stores.database.transaction { executor in try await executor.query("DELETE FROM audit_log") }
            }
            #expect(try await stores.audit.list(.init(), limit: 10, cursor: nil).records.first?.event.actor == "user:1")
        }
    }

    @Test("verification finds an entry altered behind the triggers' back", arguments: TestBackend.available)
    func tamperingIsFound(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            for index in 0..<5 {
                try await stores.audit.record(AuditEvent(.admin, action: "thing.\(index)", actor: "user:1", organizationID: "o"))
            }
            // What an attacker with database access would do: switch the guard off, edit, switch it back on.
            try await stores.database.transaction { executor in
                if executor.dialect == .postgres {
                    try await executor.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard")
                    try await executor.query("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3 AND chain = 'admin'")
                    try await executor.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_guard")
                } else {
                    try await executor.query("DROP TRIGGER audit_log_no_update")
                    try await executor.query("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3 AND chain = 'admin'")
                }
            }
            let breaks = try await stores.audit.verify()
            #expect(breaks.map(\.sequence) == [3])
            #expect(breaks.first?.chain == .admin)
        }
    }

    @Test("concurrent appends keep every chain contiguous and intact", arguments: TestBackend.available)
    func concurrentAppends(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await stores.audit.record(
                            AuditEvent(index.isMultiple(of: 2) ? .auth : .admin, action: "race.\(index)", actor: "user:\(index)", organizationID: "o"))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await stores.audit.verify().isEmpty)
            #expect(try await stores.audit.list(.init(), limit: 100, cursor: nil).records.count == 40)
        }
    }

    @Test("an entry written in a transaction that rolls back disappears with it", arguments: TestBackend.available)
    func sameTransaction(backend: TestBackend) async throws {
        struct Abort: Error {}
        try await withSecurityStores(backend) { stores in
            await #expect(throws: Abort.self) {
                try await stores.database.transaction { executor in
                    try await stores.audit.append(AuditEvent(.admin, action: "doomed", actor: "user:1", organizationID: "o"), on: executor)
                    throw Abort()
                }
            }
            #expect(try await stores.audit.list(.init(), limit: 10, cursor: nil).records.isEmpty)
            try await stores.audit.record(AuditEvent(.admin, action: "kept", actor: "user:1", organizationID: "o"))
            #expect(try await stores.audit.verify().isEmpty)
        }
    }

    @Test("pruning per class removes old entries, anchors the chain, and leaves it verifiable", arguments: TestBackend.available)
    func pruning(backend: TestBackend) async throws {
        try await withSecurityStores(backend) { stores in
            for index in 0..<6 {
                try await stores.audit.record(AuditEvent(.auth, action: "auth.login", actor: "user:\(index)", organizationID: "o"))
                try await stores.audit.record(AuditEvent(.admin, action: "thing.do", actor: "user:\(index)", organizationID: "o"))
                stores.clock.advance(by: 86_400)
            }
            // Now the entries are 6, 5, … 1 days old. Keep auth entries for 3 days, admin entries forever.
            let pruned = try await stores.audit.prune(retentionDays: [.auth: 3])
            #expect(pruned == [.auth: 3])
            let remaining = try await stores.audit.list(.init(), limit: 100, cursor: nil).records
            #expect(remaining.filter { $0.chain == .auth }.count == 3)
            #expect(remaining.filter { $0.chain == .admin }.count == 6)
            #expect(remaining.contains { $0.event.action == "audit.prune" && $0.event.details["deleted"] == "3" })
            #expect(try await stores.audit.verify().isEmpty)
            // Pruning again changes nothing, and appends continue the chain.
            #expect(try await stores.audit.prune(retentionDays: [.auth: 3]).isEmpty)
            try await stores.audit.record(AuditEvent(.auth, action: "auth.login", actor: "user:9", organizationID: "o"))
            #expect(try await stores.audit.verify().isEmpty)
        }
    }
}

@Suite("System keys contract")
struct SystemKeysContractTests {
    @Test("the audit key is made once, sealed, shared by every opener, and refused under another master key", arguments: TestBackend.available)
    func auditKey(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await Migrator(database: database).migrate()
            let cipher = SecretCipher(masterKey: ConfiguredSecret("base64:" + Data(repeating: 5, count: 32).base64EncodedString()))
            let clock = ManualWallClock()
            let chains = try await withThrowingTaskGroup(of: AuditChain.self) { group in
                for _ in 0..<4 { group.addTask { try await SystemKeys.auditChain(database: database, cipher: cipher, clock: clock) } }
                return try await group.reduce(into: [AuditChain]()) { $0.append($1) }
            }
            let event = AuditEvent(.admin, action: "a", actor: "x", organizationID: nil)
            let hashes = Set(chains.map { $0.hash(previous: AuditChain.genesis, chain: .admin, sequence: 1, id: "i", createdAt: clock.now(), event: event) })
            #expect(hashes.count == 1)
            let stored = try await database.read { executor in try await executor.query("SELECT ciphertext FROM system_keys") }
            #expect(stored.count == 1)
            let other = SecretCipher(masterKey: ConfiguredSecret("base64:" + Data(repeating: 6, count: 32).base64EncodedString()))
            let error = await #expect(throws: StoreError.self) { try await SystemKeys.auditChain(database: database, cipher: other, clock: clock) }
            #expect(error?.code == .rejected)
        }
    }
}

@Suite("Rate limiter contract")
struct RateLimiterContractTests {
    @Test("the shared limiter enforces the budget across stores and slides with time", arguments: TestBackend.available)
    func sharedBudget(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, configuration in
            try await Migrator(database: database).migrate()
            let clock = ManualWallClock(Date(unixMilliseconds: 1_790_000_040_000))
            let policy = RateLimitPolicy(limit: 5, window: .seconds(60))
            // A second store on the same database stands in for a second replica.
            let other = try await StoreFactory.open(configuration, poolSize: 2, logger: testLogger())
            try await running(other) {
                let replicas: [any RateLimiter] = [SQLRateLimiter(database: database, clock: clock), SQLRateLimiter(database: other, clock: clock)]
                var allowed = 0
                for index in 0..<8 {
                    if try await replicas[index % 2].hit(["read:address:10.0.0.1"], policy: policy)[0].allowed { allowed += 1 }
                }
                #expect(allowed == 5)
                let blocked = try await replicas[0].peek("read:address:10.0.0.1", policy: policy)
                #expect(!blocked.allowed && blocked.retryAfterSeconds > 0)
                // Another bucket has its own budget.
                #expect(try await replicas[1].hit(["read:address:10.0.0.2"], policy: policy)[0].allowed)
                // Two windows later everything has decayed.
                clock.advance(by: 120)
                #expect(try await replicas[1].hit(["read:address:10.0.0.1"], policy: policy)[0].remaining == 4)
                try await replicas[0].purge(olderThan: .seconds(60))
                try await replicas[0].reset("read:address:10.0.0.1")
                #expect(try await replicas[0].peek("read:address:10.0.0.1", policy: policy).remaining == 4)
            }
        }
    }

    @Test("the in-memory limiter gives the same answers")
    func inMemory() async throws {
        let clock = ManualWallClock(Date(unixMilliseconds: 1_790_000_040_000))
        let limiter = InMemoryRateLimiter(clock: clock)
        let policy = RateLimitPolicy(limit: 5, window: .seconds(60))
        let allowed = (0..<8).filter { _ in limiter.hit(["b"], policy: policy)[0].allowed }.count
        #expect(allowed == 5)
        clock.advance(by: 120)
        #expect(limiter.hit(["b"], policy: policy)[0].remaining == 4)
        limiter.reset("b")
        #expect(limiter.peek("b", policy: policy).remaining == 4)
    }

    @Test("concurrent hits are all counted", arguments: TestBackend.available)
    func concurrentHits(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await Migrator(database: database).migrate()
            let limiter = SQLRateLimiter(database: database, clock: ManualWallClock(Date(unixMilliseconds: 1_790_000_040_000)))
            let policy = RateLimitPolicy(limit: 20, window: .seconds(60))
            let decisions = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<30 { group.addTask { try await limiter.hit(["race"], policy: policy)[0].allowed } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(decisions.filter { $0 }.count == 20)
        }
    }
}

@Suite("PostgreSQL roles", .enabled(if: TestBackend.postgresURL != nil || TestBackend.isCI))
struct DatabaseRoleTests {
    @Test("the roles exist, with read-write unable to update or truncate the audit log")
    func roles() async throws {
        try await withTestDatabase(.postgres) { database, _ in
            try await Migrator(database: database).migrate()
            let rows = try await database.read { executor in
                try await executor.query(
                    """
                    SELECT r.rolname,
                           has_table_privilege(r.rolname, 'audit_log', 'SELECT') AS can_select,
                           has_table_privilege(r.rolname, 'audit_log', 'INSERT') AS can_insert,
                           has_table_privilege(r.rolname, 'audit_log', 'UPDATE') AS can_update,
                           has_table_privilege(r.rolname, 'users', 'INSERT') AS can_write_users
                    FROM pg_roles r WHERE r.rolname IN ('app_readonly', 'app_readwrite', 'app_admin') ORDER BY r.rolname
                    """)
            }
            let byRole = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode("rolname", as: String.self), $0) })
            #expect(byRole.keys.sorted() == ["app_admin", "app_readonly", "app_readwrite"])
            #expect(try byRole["app_readonly"]?.decode("can_select", as: Bool.self) == true)
            #expect(try byRole["app_readonly"]?.decode("can_write_users", as: Bool.self) == false)
            #expect(try byRole["app_readwrite"]?.decode("can_insert", as: Bool.self) == true)
            #expect(try byRole["app_readwrite"]?.decode("can_update", as: Bool.self) == false)
            #expect(try byRole["app_admin"]?.decode("can_update", as: Bool.self) == true)
        }
    }
}
