import Hummingbird
import NIOCore

/// Per-request state every Arbiter handler receives.
public struct ArbiterRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address, for logs and per-client limits.
    public let remoteAddress: SocketAddress?
    /// The request's id: the caller's `X-Request-ID` when it is sane, otherwise one made here.
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.requestID = ""
    }

    /// Largest request body a handler will decode; larger bodies get `413`.
    public var maxUploadSize: Int { 1 << 20 }
}
