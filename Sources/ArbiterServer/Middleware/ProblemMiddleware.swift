import ArbiterStore
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error thrown below it into an `application/problem+json` response.
///
/// This is the one place errors become HTTP: known errors keep their meaning, anything unexpected is logged
/// with the request id and answered with a `500` that reveals nothing about the server's internals.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = ArbiterRequestContext

    /// Every registered route, to tell "no such path" (404) from "no such method here" (405).
    let routes: [RouteDocumentation]

    public init(routes: [RouteDocumentation]) {
        self.routes = routes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = self.problem(for: error, request: request, context: context)
            return problem.response(path: request.uri.path, requestID: context.requestID)
        }
    }

    func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            return problem(for: error, request: request, context: context)
        case let error as StoreError:
            return problem(for: error, context: context)
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            return .contentTooLarge(limit: context.maxUploadSize)
        case let error as any HTTPResponseError where error.status.code < 500:
            return Problem(error.status, slug: "http-\(error.status.code)", title: error.status.reasonPhrase,
                detail: error.status.reasonPhrase)
        default:
            context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))", "error": "\(error)"])
            return .internalError(requestID: context.requestID)
        }
    }

    private func problem(for error: HTTPError, request: Request, context: Context) -> Problem {
        switch error.status {
        case .contentTooLarge:
            return .contentTooLarge(limit: context.maxUploadSize)
        case .notFound:
            let path = request.uri.path
            let allowed = routes.filter { $0.matches(path: path) }.map(\.method.rawValue)
            if !allowed.isEmpty {
                return Problem(
                    .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
                    detail: "\(path) does not accept \(request.method.rawValue); it accepts \(allowed.joined(separator: ", ")).",
                    headers: [.allow: allowed.joined(separator: ", ")])
            }
            return .notFound(
                error.body ?? "No route matches \(request.method.rawValue) \(path). Every route is listed in /openapi.json.")
        case .badRequest:
            return .badRequest(error.body ?? "The request could not be read.")
        default:
            return Problem(
                error.status, slug: "http-\(error.status.code)", title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
        }
    }

    private func problem(for error: StoreError, context: Context) -> Problem {
        switch error.code {
        case .unavailable:
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return .unavailable("The database is unavailable. Try again shortly.")
        case .notFound:
            return .notFound("The requested resource does not exist.")
        case .duplicate:
            return Problem(.conflict, slug: "conflict", title: "Conflict", detail: "A resource with the same key already exists.")
        default:
            context.logger.error("store error", metadata: ["error": "\(error)"])
            return .internalError(requestID: context.requestID)
        }
    }
}
