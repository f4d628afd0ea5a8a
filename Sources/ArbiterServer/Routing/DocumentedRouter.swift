import Hummingbird
import HTTPTypes

/// Registers routes on a Hummingbird router together with their documentation and access rule.
///
/// Registering through here is the only way routes are added, so the OpenAPI document, the access checks
/// and the router can never list different routes.
public final class DocumentedRouter<Context: RequestContext>: @unchecked Sendable {
    // Mutated only while the application is being built, before it serves requests.
    public let router: Router<Context>
    public private(set) var routes: [RouteDocumentation] = []

    public init(router: Router<Context>) {
        self.router = router
    }

    /// Adds `handler` for the documented method and path.
    public func on(
        _ documentation: RouteDocumentation,
        use handler: @escaping @Sendable (Request, Context) async throws -> some ResponseGenerator
    ) {
        precondition(
            !routes.contains { $0.method == documentation.method && $0.path == documentation.path },
            "\(documentation.method) \(documentation.path) is registered twice")
        precondition(
            documentation.access != .public || PublicRoutes.contains(documentation.method, documentation.path),
            "\(documentation.method) \(documentation.path) is declared public but is not in PublicRoutes.all")
        routes.append(documentation)
        router.on(RouterPath(documentation.path), method: documentation.method, use: handler)
    }
}
