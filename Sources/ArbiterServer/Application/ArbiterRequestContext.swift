import ArbiterCore
import Hummingbird
import NIOCore

/// Per-request state every Arbiter handler receives.
public struct ArbiterRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address, for logs and per-client limits.
    public let remoteAddress: SocketAddress?
    /// The request's id: the caller's `X-Request-ID` when it is sane, otherwise one made here.
    public var requestID: String
    /// The client's address: the peer's, or the proxy-reported one when forwarded headers are trusted.
    public var clientIP: String
    /// The name the client's address is rate-limited under (its /64 for IPv6).
    public var clientBucket: String
    /// Whether the client reached Arbiter over TLS (directly, or through a trusted proxy).
    public var isSecure: Bool
    /// Who is calling; set by the access-control middleware on routes that require a permission.
    public var principal: Principal?
    /// The documentation of the route being served; `nil` when no route matched.
    public var route: RouteDocumentation?
    /// Largest request body a handler will decode; set from configuration.
    public var bodyLimit: Int

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.requestID = ""
        self.clientIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.clientBucket = clientIP
        self.isSecure = false
        self.principal = nil
        self.route = nil
        self.bodyLimit = 1 << 20
    }

    /// Largest request body a handler will decode; larger bodies get `413`.
    public var maxUploadSize: Int { bodyLimit }

    /// The authenticated principal; routes that require a permission always have one.
    public func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw Problem(.unauthorized, slug: "unauthenticated", title: "Unauthenticated", detail: "Sign in first.")
        }
        return principal
    }

    /// Where this request came from, for audit entries.
    public var auditOrigin: AuditOrigin {
        AuditOrigin(requestID: requestID, clientIP: clientIP, userAgent: userAgent)
    }

    /// The caller as an audit actor.
    public func actor() throws -> Actor {
        Actor(try requirePrincipal(), origin: auditOrigin)
    }

    /// Set by the request-id middleware from the request.
    public var userAgent: String?
}
