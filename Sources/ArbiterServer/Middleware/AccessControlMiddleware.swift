import ArbiterCore
import ArbiterStore
import HTTPTypes
import Hummingbird
import Logging

/// Decides, for every request, whether it may reach its route: authentication, authorization (deny by default),
/// CSRF protection for cookie sessions, and rate limits per route class.
///
/// The route's declaration is looked up by the method and route template the router matched. A matched route
/// with no declaration is refused with `403`; a public declaration counts only for routes on the exact
/// ``PublicRoutes`` list.
public struct AccessControlMiddleware: RouterMiddleware {
    public typealias Context = ArbiterRequestContext

    /// Declarations by method and route template.
    struct RouteKey: Hashable {
        let method: HTTPRequest.Method
        let template: String
    }

    let routes: [RouteKey: RouteDocumentation]
    let auth: AuthService
    let tokens: TokenService
    let limiter: any RateLimiter
    let limits: SecuritySettings.RateLimits
    let origins: OriginPolicy
    let problems: ProblemMiddleware

    public init(
        routes: [RouteDocumentation], auth: AuthService, tokens: TokenService, limiter: any RateLimiter,
        limits: SecuritySettings.RateLimits, allowedOrigins: [String]
    ) {
        var byKey: [RouteKey: RouteDocumentation] = [:]
        for route in routes { byKey[RouteKey(method: route.method, template: RouterPath(route.path).description)] = route }
        self.routes = byKey
        self.auth = auth
        self.tokens = tokens
        self.limiter = limiter
        self.limits = limits
        self.origins = OriginPolicy(allowed: allowedOrigins)
        self.problems = ProblemMiddleware(routes: routes)
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let template = context.endpointPath
        let route = template.flatMap { routes[RouteKey(method: request.method, template: $0)] }
        context.route = route
        let rateClass = route?.rateClass ?? (route == nil ? (Self.isSafe(request.method) ? .read : .write) : nil)
        let policy: RateLimitPolicy? = rateClass.map { rateClass in
            switch rateClass {
            case .auth: limits.auth
            case .read: limits.read
            case .write: limits.write
            case .review: limits.review
            }
        }
        var rateHeaders: HTTPFields = [:]
        // The address is counted before anything else is looked at, so requests with bad credentials, refused
        // ones and unknown routes all spend the budget too.
        if let rateClass, let policy {
            rateHeaders = try await charge(["\(rateClass.rawValue):address:\(context.clientBucket)"], policy: policy, rateClass: rateClass)
        }

        if template != nil {
            guard let route else {
                context.logger.error("route has no access declaration", metadata: ["route": .string(template ?? "")])
                throw Self.forbidden("This route declares no access rule, so nobody may call it.")
            }
            switch route.access {
            case .public:
                guard PublicRoutes.contains(route.method, route.path) else {
                    throw Self.forbidden("This route is not on the list of public routes.")
                }
            case .requires(let permission):
                let principal = try await authenticate(request, context: context)
                switch AccessPolicy.decide(principal, permission) {
                case .allow:
                    break
                case .unauthenticated:
                    throw Self.unauthenticated("This route needs credentials: Authorization: Bearer <access token or API key>.")
                case .forbidden(let reason):
                    throw Self.forbidden("You may not do this: \(reason).")
                }
                if let principal, principal.method == .cookie, !Self.isSafe(request.method) {
                    try checkCSRF(request, context: context, principal: principal)
                }
                context.principal = principal
                context.logger[metadataKey: "principal"] = .string("\(principal?.kind.rawValue ?? "?"):\(principal?.id ?? "?")")
                if let principal, let rateClass, let policy {
                    let perCaller = try await charge(
                        ["\(rateClass.rawValue):\(principal.kind.rawValue):\(principal.id)"], policy: policy, rateClass: rateClass)
                    if Int(perCaller[.rateLimitRemaining] ?? "") ?? .max < Int(rateHeaders[.rateLimitRemaining] ?? "") ?? .max {
                        rateHeaders = perCaller
                    }
                }
            }
        }

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = problems.problem(for: error, request: request, context: context)
                .response(path: request.uri.path, requestID: context.requestID)
        }
        response.headers.append(contentsOf: rateHeaders)
        return response
    }

    /// Counts the request against `buckets` and returns the RateLimit headers, or throws `429` when over budget.
    private func charge(_ buckets: [String], policy: RateLimitPolicy, rateClass: RateClass) async throws -> HTTPFields {
        let decisions = try await limiter.hit(buckets, policy: policy)
        guard let binding = decisions.min(by: { lhs, rhs in lhs.allowed != rhs.allowed ? !lhs.allowed : lhs.remaining < rhs.remaining })
        else { return [:] }
        var headers: HTTPFields = [
            .rateLimitLimit: String(binding.limit), .rateLimitRemaining: String(binding.remaining),
            .rateLimitReset: String(binding.resetSeconds),
        ]
        guard binding.allowed else {
            headers[.retryAfter] = String(binding.retryAfterSeconds)
            throw Problem(
                .tooManyRequests, slug: "rate-limited", title: "Too many requests",
                detail: "More than \(policy) \(rateClass.rawValue) requests; try again in \(binding.retryAfterSeconds) seconds.",
                headers: headers)
        }
        return headers
    }

    private func authenticate(_ request: Request, context: Context) async throws -> Principal? {
        do {
            return try await auth.authenticate(
                authorization: request.headers[.authorization], accessCookie: request.cookies[SessionCookies.access]?.value)
        } catch let rejection as TokenService.Rejection {
            context.logger.notice("credentials refused", metadata: ["reason": .string(rejection.description)])
            throw Self.unauthenticated("The access token or API key is invalid, expired or revoked. Sign in again.")
        }
    }

    /// Cookie sessions must echo the session's CSRF token in `X-CSRF-Token` and come from an allowed origin.
    private func checkCSRF(_ request: Request, context: Context, principal: Principal) throws {
        guard let sessionID = principal.sessionID else { throw Self.csrf("The session cannot be checked.") }
        guard let header = request.headers[.xCSRFToken], let cookie = request.cookies[SessionCookies.csrf]?.value,
            constantTimeEquals(Array(header.utf8), Array(cookie.utf8)),
            constantTimeEquals(Array(header.utf8), Array(tokens.csrfToken(sessionID: sessionID).utf8))
        else {
            throw Self.csrf("Send the csrf_token from sign-in in the X-CSRF-Token header; it must match the arbiter_csrf cookie.")
        }
        let origin = request.headers[.origin] ?? request.headers[.referer].flatMap(OriginPolicy.origin(ofURL:))
        guard let origin, origins.accepts(origin: origin, host: request.head.authority, secure: context.isSecure) else {
            throw Self.csrf("The request comes from a page on another origin, which may not act with this session.")
        }
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }

    static func unauthenticated(_ detail: String) -> Problem {
        Problem(
            .unauthorized, slug: "unauthenticated", title: "Unauthenticated", detail: detail,
            headers: [.wwwAuthenticate: #"Bearer realm="arbiter""#])
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, slug: "forbidden", title: "Forbidden", detail: detail)
    }

    static func csrf(_ detail: String) -> Problem {
        Problem(.forbidden, slug: "csrf", title: "Cross-site request refused", detail: detail)
    }
}

/// Names of the cookies of a browser session.
public enum SessionCookies {
    /// The access token (HttpOnly).
    public static let access = "arbiter_access"
    /// The refresh token (HttpOnly, sent only to /api/v1/auth).
    public static let refresh = "arbiter_refresh"
    /// The CSRF token, readable by the page so it can echo it in X-CSRF-Token.
    public static let csrf = "arbiter_csrf"
}
