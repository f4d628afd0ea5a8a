import Foundation

/// Why a call to a model provider failed, classified so the gateway knows whether to retry, fall through or stop.
///
/// Messages never contain credentials: providers build them from status codes and the provider's own error text,
/// and scrub anything that looks like the key they were given.
public enum ProviderError: Error, Sendable, Equatable {
    /// The connection could not be made, or no answer arrived within the read or total timeout.
    case timeout(String)
    /// The connection failed or broke (refused, reset, truncated stream).
    case transport(String)
    /// `429 Too Many Requests`, with the provider's `Retry-After` when it sent one.
    case rateLimited(retryAfter: Duration?)
    /// A `5xx` answer.
    case server(status: Int, message: String)
    /// A `4xx` answer other than 429: the request itself is wrong (bad model name, bad key, too long); retrying
    /// cannot help.
    case client(status: Int, message: String)
    /// The provider answered `2xx` with something that is not its wire format.
    case malformedResponse(String)

    /// Whether the same request may succeed if sent again: timeouts, broken connections, 429 and 5xx.
    public var isRetryable: Bool {
        switch self {
        case .timeout, .transport, .rateLimited, .server: true
        case .client, .malformedResponse: false
        }
    }

    /// A short machine-readable reason, recorded with each attempt.
    public var reason: String {
        switch self {
        case .timeout: "timeout"
        case .transport: "transport"
        case .rateLimited: "rate_limited"
        case .server: "server_error"
        case .client: "client_error"
        case .malformedResponse: "malformed_response"
        }
    }

    /// A sentence for people: the attempt log, the logs.
    public var message: String {
        switch self {
        case .timeout(let detail): "timed out: \(detail)"
        case .transport(let detail): "connection failed: \(detail)"
        case .rateLimited(let after): "rate limited (429)" + (after.map { ", retry after \($0)" } ?? "")
        case .server(let status, let message): "server error \(status): \(message)"
        case .client(let status, let message): "request refused \(status): \(message)"
        case .malformedResponse(let detail): "malformed response: \(detail)"
        }
    }
}
