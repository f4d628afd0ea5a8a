import ArbiterCore
import HTTPTypes

/// Who may call a route. Every route states this where it is registered; there is no default.
public enum RouteAccess: Equatable, Sendable {
    /// Anyone, without credentials. Only the routes in ``PublicRoutes/all`` may be public.
    case `public`
    /// A signed-in principal holding the permission.
    case requires(Permission)
}

/// The exact list of routes anyone may call. Exact method and path pairs, never prefixes, so no entry can make a
/// whole subtree public by accident.
public enum PublicRoutes {
    public static let all: Set<String> = [
        "GET /healthz",
        "GET /readyz",
        "GET /openapi.json",
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/refresh",
    ]

    /// Whether `method path` is on the list.
    public static func contains(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        all.contains("\(method.rawValue) \(path)")
    }
}

/// Which request budget a route draws from.
public enum RateLimiting: Equatable, Sendable {
    /// `read` for GET and HEAD, `write` for everything else.
    case byMethod
    /// Sign-in and token refresh: counted per client address.
    case auth
    /// Code reviews.
    case review
    /// Not limited: health and readiness probes, which orchestrators call on a schedule.
    case exempt
}

/// A named budget; the configuration gives each one its policy.
public enum RateClass: String, Sendable {
    case auth, read, write, review
}
