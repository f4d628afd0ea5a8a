import Hummingbird
import Logging

/// Writes one log line per request: method, path, status and duration.
///
/// The query string is left out because it can carry tokens.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ArbiterRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "http.method": .string(request.method.rawValue),
                "http.path": .string(request.uri.path),
                "http.status": .stringConvertible(Int(response.status.code)),
                "duration_ms": .stringConvertible((milliseconds * 1000).rounded() / 1000),
                "client_ip": .string(context.clientIP),
            ])
        return response
    }
}
