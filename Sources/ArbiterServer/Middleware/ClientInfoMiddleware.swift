import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}

/// Works out who the client is (address, TLS, user agent) and sets the body limit, before anything else uses them.
///
/// `X-Forwarded-For` and `X-Forwarded-Proto` are believed only when configured: anyone can send them.
public struct ClientInfoMiddleware: RouterMiddleware {
    public typealias Context = ArbiterRequestContext

    let trustForwardedHeaders: Bool
    let bodyLimit: Int

    public init(trustForwardedHeaders: Bool, bodyLimit: Int) {
        self.trustForwardedHeaders = trustForwardedHeaders
        self.bodyLimit = bodyLimit
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.bodyLimit = bodyLimit
        context.userAgent = request.headers[.userAgent]
        if trustForwardedHeaders {
            // The proxy appends the address it saw; the last entry is the one it vouches for.
            if let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
                !forwarded.isEmpty, forwarded.count <= 64
            {
                context.clientIP = forwarded
            }
            context.isSecure = request.headers[.xForwardedProto]?.lowercased() == "https"
        }
        return try await next(request, context)
    }
}
