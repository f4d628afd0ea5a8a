import ArbiterCore
import HTTPTypes
import Hummingbird

/// Cross-origin requests are refused unless the origin is on the configured allow-list; with an empty list no
/// CORS headers are ever sent, so browsers keep other sites from reading Arbiter's answers.
public struct ArbiterCORSMiddleware: RouterMiddleware {
    public typealias Context = ArbiterRequestContext

    let allowed: Set<String>

    public init(allowedOrigins: [String]) {
        self.allowed = OriginPolicy(allowed: allowedOrigins).allowed
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard !allowed.isEmpty, let origin = request.headers[.origin], allowed.contains(OriginPolicy.normalize(origin)) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .vary: "Origin",
                    .accessControlAllowMethods: "GET, POST, PUT, PATCH, DELETE",
                    .accessControlAllowHeaders: "Authorization, Content-Type, Idempotency-Key, X-Request-ID, X-CSRF-Token",
                    .accessControlMaxAge: "600",
                ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
        response.headers[values: .vary].append("Origin")
        return response
    }
}
