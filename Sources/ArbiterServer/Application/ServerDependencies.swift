import ArbiterAI
import ArbiterCore
import ArbiterOntology
import ArbiterReview
import ArbiterStore
import Foundation
import Logging

/// Everything the HTTP layer needs from below, built once at start; tests build the same with their own database.
public struct ServerDependencies: Sendable {
    public let database: any SQLDatabase
    public let migrator: Migrator
    public let instances: any InstanceRepository
    public let audit: AuditLog
    public let identities: IdentityStore
    public let sessions: SessionStore
    public let apiKeys: APIKeyStore
    public let secrets: SecretStore
    public let limiter: any RateLimiter
    public let tokens: TokenService
    public let credentials: Credentials
    public let cipher: SecretCipher
    public let auth: AuthService
    public let settings: SecuritySettings
    public let clock: any WallClock
    /// Code reviews: the analyzer with its rules, and where reviews are kept.
    public let reviews: ReviewService
    /// Model providers, the reviewer chain, usage and the answer cache.
    public let ai: AIService
    /// The ontology's branches and commits.
    public let ontology: OntologyRepository
    /// Change proposals between ontology branches.
    public let proposals: ProposalRepository
    /// Emergency overrides of protected branches' governance.
    public let overrides: OverrideRepository
    /// Locks on ontology branches and resources, shared by every replica.
    public let locks: LockRepository
    /// The ontology's search index and its background builds.
    let searchIndex: SearchIndexService
    /// First answers to `Idempotency-Key`s, replayed to retries.
    public let idempotency: IdempotencyStore
    /// How long `/readyz` waits for the database before answering `503`.
    public let readinessTimeout: Duration

    /// Wires the stores and services for `database`. Nothing is read yet: the audit key is opened on first use
    /// (or by ``AuditLog/prepare()``), after migrations.
    ///
    /// The rate limiter is shared through the database on PostgreSQL, where replicas share one budget, and kept
    /// in memory on SQLite, where there is one node.
    public static func make(
        database: any SQLDatabase, settings: SecuritySettings, secrets: LoadedSecrets, clock: any WallClock = SystemWallClock(),
        ids: any IDGenerator = UUIDv7Generator(), passwordHasher: PasswordHasher = PasswordHasher(),
        readinessTimeout: Duration = .seconds(2), reviewer: Reviewer? = nil, gatewayOptions: GatewayOptions = GatewayOptions()
    ) async throws -> ServerDependencies {
        let cipher = SecretCipher(masterKey: secrets.masterKey)
        let audit = AuditLog(database: database, ids: ids, clock: clock, cipher: cipher)
        let identities = IdentityStore(database: database, audit: audit, ids: ids, clock: clock)
        let sessions = SessionStore(database: database, audit: audit, ids: ids, clock: clock)
        let apiKeys = APIKeyStore(database: database, audit: audit, ids: ids, clock: clock)
        let limiter: any RateLimiter =
            database.dialect == .postgres ? SQLRateLimiter(database: database, clock: clock) : InMemoryRateLimiter(clock: clock)
        let tokens = await TokenService(secret: secrets.jwtSecret, accessTokenTTL: settings.accessTokenTTL, clock: clock)
        let credentials = try Credentials(hasher: passwordHasher)
        let secretStore = SecretStore(database: database, audit: audit, clock: clock)
        let aiStore = AIStore(database: database, audit: audit, clock: clock)
        let ai = AIService(
            store: aiStore,
            gateway: ModelGateway(options: gatewayOptions, sharedCache: DatabaseAnswerCache(store: aiStore, clock: clock)),
            secrets: secretStore, cipher: cipher, ids: ids, clock: clock)
        let auth = AuthService(
            identities: identities, sessions: sessions, apiKeys: apiKeys, audit: audit, limiter: limiter, tokens: tokens,
            credentials: credentials, settings: settings, clock: clock)
        let ontology = OntologyRepository(database: database, clock: clock)
        let locks = LockRepository(database: database, ids: ids, clock: clock)
        return ServerDependencies(
            database: database, migrator: Migrator(database: database, clock: clock),
            instances: SQLInstanceRepository(database: database, ids: ids, clock: clock), audit: audit, identities: identities,
            sessions: sessions, apiKeys: apiKeys, secrets: secretStore,
            limiter: limiter, tokens: tokens, credentials: credentials, cipher: cipher, auth: auth,
            settings: settings, clock: clock,
            reviews: ReviewService(reviewer: try reviewer ?? Reviewer(), store: ReviewStore(database: database), ai: ai, ids: ids, clock: clock),
            ai: ai, ontology: ontology,
            proposals: ProposalRepository(database: database, ids: ids, clock: clock),
            overrides: OverrideRepository(database: database, ids: ids, clock: clock),
            locks: locks,
            searchIndex: SearchIndexService(
                index: SearchIndexRepository(database: database, clock: clock), ontology: ontology, locks: locks, clock: clock,
                logger: Logger(label: "arbiter.search-index")),
            idempotency: IdempotencyStore(database: database, clock: clock), readinessTimeout: readinessTimeout)
    }

    /// Stops the password-hashing workers and closes the model providers' connections.
    public func shutdown() async {
        await searchIndex.cancelAll()
        await credentials.shutdown()
        await ai.gateway.shutdown()
    }
}
