/// Who may call a route. Every route states this where it is registered; there is no default.
public enum RouteAccess: Equatable, Sendable {
    /// Anyone, without credentials: health, readiness, the API description.
    case `public`
}
