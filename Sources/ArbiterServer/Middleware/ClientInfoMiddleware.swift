import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

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
            // Only an address is believed: anything else in the header is ignored, never used as a bucket name.
            if let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
                forwarded.count <= 64, (try? SocketAddress(ipAddress: forwarded, port: 0)) != nil
            {
                context.clientIP = forwarded
            }
            context.isSecure = request.headers[.xForwardedProto]?.lowercased() == "https"
        }
        context.clientBucket = Self.bucket(for: context.clientIP)
        return try await next(request, context)
    }

    /// The name under which a client address is rate-limited: the address itself for IPv4, its /64 network for
    /// IPv6, where one client commonly holds a whole /64 and could otherwise take a fresh address per request.
    static func bucket(for address: String) -> String {
        guard address.utf8.contains(UInt8(ascii: ":")) else { return address }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12..<16].map(String.init).joined(separator: ".")  // An IPv4 address in IPv6 form.
        }
        return stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":") + "::/64"
    }
}
