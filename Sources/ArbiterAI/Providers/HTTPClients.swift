import AsyncHTTPClient
import NIOCore
import Synchronization

/// The HTTP clients providers call through, one per distinct pair of connect and read timeouts (async-http-client
/// sets those per client), shared by every provider that uses the same pair. Redirects are never followed: a
/// provider that redirects is misconfigured, and following would send its key somewhere else.
public final class HTTPClients: Sendable {
    private let clients = Mutex<[Key: HTTPClient]>([:])
    private let closed = Mutex(false)

    private struct Key: Hashable {
        let connect: Duration
        let read: Duration
    }

    public init() {}

    /// The client for `timeouts`.
    public func client(for timeouts: ProviderEndpoint.Timeouts) throws -> HTTPClient {
        let key = Key(connect: timeouts.connect, read: timeouts.read)
        return try clients.withLock { clients in
            guard !closed.withLock({ $0 }) else { throw ProviderError.transport("the gateway is shutting down") }
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .init(timeouts.connect), read: .init(timeouts.read))
            configuration.redirectConfiguration = .disallow
            configuration.decompression = .disabled
            // The default of 8 connections per host would queue calls below a tier's own concurrency limit.
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// Shuts every client down; later calls fail with a transport error.
    public func shutdown() async {
        let all = clients.withLock { clients in
            closed.withLock { $0 = true }
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
