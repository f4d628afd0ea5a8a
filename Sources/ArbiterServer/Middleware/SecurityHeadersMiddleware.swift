import HTTPTypes
import Hummingbird

/// Adds the headers that keep browsers from misusing API responses, on every response, errors included.
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public typealias Context = ArbiterRequestContext

    /// The API serves JSON only: nothing may load, frame or be embedded from it.
    static let headers: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        .xContentTypeOptions: "nosniff",
        .xFrameOptions: "DENY",
        .referrerPolicy: "no-referrer",
        .crossOriginResourcePolicy: "same-origin",
        .cacheControl: "no-store",
    ]

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        // A route that sets its own policy (a web page, one day) keeps it and takes care of the rest itself.
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers.append(contentsOf: Self.headers)
        }
        if context.isSecure {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let crossOriginResourcePolicy = HTTPField.Name("Cross-Origin-Resource-Policy")!
    static let xCSRFToken = HTTPField.Name("X-CSRF-Token")!
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
}
