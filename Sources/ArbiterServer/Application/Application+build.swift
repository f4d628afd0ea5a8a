import ArbiterCore
import ArbiterStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The router with every route and middleware, and the list of routes it serves.
///
/// `additionalRoutes` registers more routes behind the same middleware; tests use it for probe routes.
public func buildRouter(
    dependencies: ServerDependencies,
    additionalRoutes: @escaping (DocumentedRouter<ArbiterRequestContext>) -> Void = { _ in }
) -> DocumentedRouter<ArbiterRequestContext> {
    let router = Router(context: ArbiterRequestContext.self)
    let api = DocumentedRouter(router: router)
    // Routes are listed first so the problem middleware can tell a wrong method from an unknown path; middleware
    // only wraps routes added after it, so it is added to a router that is then filled by the same registrations.
    let document = Mutex(ByteBuffer())
    let registrations: [(DocumentedRouter<ArbiterRequestContext>) -> Void] = [
        HealthController(
            database: dependencies.database, migrator: dependencies.migrator,
            readinessTimeout: dependencies.readinessTimeout
        ).register(on:),
        { api in
            MetaController(backend: dependencies.database.dialect.rawValue, instances: dependencies.instances)
                .register(on: api, openAPIDocument: { document.withLock { $0 } })
        },
        AuthController(
            auth: dependencies.auth, tokens: dependencies.tokens, settings: dependencies.settings,
            origins: OriginPolicy(allowed: dependencies.settings.allowedOrigins)
        ).register(on:),
        UsersController(identities: dependencies.identities, credentials: dependencies.credentials).register(on:),
        APIKeysController(keys: dependencies.apiKeys, clock: dependencies.clock).register(on:),
        SecretsController(secrets: dependencies.secrets, cipher: dependencies.cipher).register(on:),
        AuditController(audit: dependencies.audit).register(on:),
        ReviewsController(service: dependencies.reviews).register(on:),
        ProvidersController(ai: dependencies.ai).register(on:),
        ReviewerConfigController(ai: dependencies.ai).register(on:),
        UsageController(ai: dependencies.ai, clock: dependencies.clock).register(on:),
        ontologyController(dependencies).register(on:),
        ProposalsController(proposals: dependencies.proposals, repository: dependencies.ontology, governance: ontologyController(dependencies))
            .register(on:),
        OverridesController(overrides: dependencies.overrides, repository: dependencies.ontology, audit: dependencies.audit, clock: dependencies.clock)
            .register(on:),
        LocksController(locks: dependencies.locks, audit: dependencies.audit, clock: dependencies.clock).register(on:),
        SearchController(service: dependencies.searchIndex, repository: dependencies.ontology, locks: dependencies.locks).register(on:),
        additionalRoutes,
    ]
    let catalogue = DocumentedRouter(router: Router(context: ArbiterRequestContext.self))
    registrations.forEach { $0(catalogue) }
    let encoded = OpenAPIDocument.encode(OpenAPIDocument.build(routes: catalogue.routes, schemas: componentSchemas))
    document.withLock { $0 = ByteBuffer(bytes: encoded) }

    let settings = dependencies.settings
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ClientInfoMiddleware(trustForwardedHeaders: settings.trustForwardedHeaders, bodyLimit: settings.maxBodySize))
    router.add(middleware: AccessLogMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ArbiterCORSMiddleware(allowedOrigins: settings.allowedOrigins))
    router.add(middleware: ProblemMiddleware(routes: catalogue.routes))
    router.add(
        middleware: AccessControlMiddleware(
            routes: catalogue.routes, auth: dependencies.auth, tokens: dependencies.tokens, limiter: dependencies.limiter,
            limits: settings.rateLimits, allowedOrigins: settings.allowedOrigins))
    router.add(middleware: IdempotencyMiddleware(store: dependencies.idempotency))
    registrations.forEach { $0(api) }
    return api
}

func ontologyController(_ dependencies: ServerDependencies) -> OntologyController {
    OntologyController(
        repository: dependencies.ontology, overrides: dependencies.overrides, locks: dependencies.locks, audit: dependencies.audit,
        clock: dependencies.clock)
}

/// Every schema the controllers publish.
let componentSchemas: [String: JSONValue] = [
    HealthController.schemas, MetaController.schemas, AuthController.schemas, UsersController.schemas, APIKeysController.schemas,
    SecretsController.schemas, AuditController.schemas, ReviewsController.schemas, ProvidersController.schemas,
    ReviewerConfigController.schemas, UsageController.schemas, OntologyController.schemas,
    ProposalsController.schemas, OverridesController.schemas, LocksController.schemas, SearchController.schemas, ["Problem": .problemSchema],
].reduce(into: [:]) { all, schemas in all.merge(schemas) { first, _ in first } }

/// The HTTP application on `configuration.host`/`port`; `beforeServerStarts` runs before it accepts connections.
public func buildApplication(
    configuration: ArbiterConfiguration,
    dependencies: ServerDependencies,
    logger: Logger,
    beforeServerStarts: @escaping @Sendable () async throws -> Void = {},
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let api = buildRouter(dependencies: dependencies)
    var app = Application(
        router: api.router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: onServerRunning,
        logger: logger
    )
    app.beforeServerStarts(perform: beforeServerStarts)
    return app
}
