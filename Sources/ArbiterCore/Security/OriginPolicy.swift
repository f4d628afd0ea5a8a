import Foundation

/// Decides whether a browser request's `Origin` (or `Referer`) belongs to Arbiter, for CSRF and CORS.
public struct OriginPolicy: Equatable, Sendable {
    /// Origins allowed besides the server's own, as `scheme://host[:port]`, lowercased.
    public let allowed: Set<String>

    public init(allowed: [String]) {
        self.allowed = Set(allowed.map { Self.normalize($0) })
    }

    /// Whether `origin` (an `Origin` header, or the origin of a `Referer`) is the server's own origin or listed.
    ///
    /// - Parameters:
    ///   - origin: `scheme://host[:port]`
    ///   - host: the request's `Host` header, which names the server's own origin
    ///   - secure: whether the request arrived over TLS
    public func accepts(origin: String, host: String?, secure: Bool) -> Bool {
        let origin = Self.normalize(origin)
        if allowed.contains(origin) { return true }
        guard let host else { return false }
        let own = Self.normalize((secure ? "https://" : "http://") + host)
        return origin == own
    }

    /// The origin (`scheme://host[:port]`) of a full URL such as a `Referer`, or `nil`.
    public static func origin(ofURL url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        return String(url[..<schemeEnd.upperBound]) + authority
    }

    /// Lowercases and drops default ports and a trailing slash, so equal origins compare equal.
    public static func normalize(_ origin: String) -> String {
        var value = origin.lowercased()
        if value.hasSuffix("/") { value.removeLast() }
        if value.hasPrefix("http://"), value.hasSuffix(":80") { value.removeLast(3) }
        if value.hasPrefix("https://"), value.hasSuffix(":443") { value.removeLast(4) }
        return value
    }
}
