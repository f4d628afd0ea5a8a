import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP half every provider shares: sending a JSON request, classifying failures into ``ProviderError``,
/// reading bounded bodies and server-sent events, and keeping the key out of every message.
struct ProviderHTTP: Sendable {
    let endpoint: ProviderEndpoint
    let clients: HTTPClients

    /// The most a provider's answer may be; anything longer is treated as malformed.
    static let maximumBodyBytes = 8 << 20

    /// Runs a whole call — request, answer and every streamed byte — within the endpoint's total timeout.
    /// (async-http-client's deadline covers the request and the response head, not a body that keeps trickling.)
    func withinTotal<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let total = endpoint.timeouts.total
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: total)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ProviderError.timeout("the call took longer than \(total)")
            }
            return value
        }
    }

    /// POSTs `body` to `path` under the base URL and returns the response head once it is `2xx`.
    func post(_ path: String, headers: [(String, String)], body: Data) async throws -> HTTPClientResponse {
        let client = try clients.client(for: endpoint.timeouts)
        var request = HTTPClientRequest(url: Self.join(endpoint.baseURL, path))
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "arbiter")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: .now() + TimeAmount(endpoint.timeouts.total))
        } catch {
            throw classify(error)
        }
        guard (200..<300).contains(response.status.code) else {
            let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            throw failure(status: Int(response.status.code), headers: response.headers, body: text)
        }
        return response
    }

    /// The whole body, at most ``maximumBodyBytes``.
    func collect(_ response: HTTPClientResponse) async throws -> Data {
        do {
            let buffer = try await response.body.collect(upTo: Self.maximumBodyBytes)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ProviderError.malformedResponse("the answer is longer than \(Self.maximumBodyBytes) bytes")
        } catch {
            throw classify(error)
        }
    }

    /// Calls `onEvent` for each server-sent event of the body, in order.
    func events(_ response: HTTPClientResponse, _ onEvent: (SSEEvent) async throws -> Void) async throws {
        var parser = SSEParser()
        var received = 0
        do {
            for try await buffer in response.body {
                received += buffer.readableBytes
                guard received <= Self.maximumBodyBytes else {
                    throw ProviderError.malformedResponse("the stream is longer than \(Self.maximumBodyBytes) bytes")
                }
                for event in parser.feed(buffer.readableBytesView) { try await onEvent(event) }
            }
        } catch let error as ProviderError {
            throw error
        } catch {
            throw classify(error)
        }
        for event in parser.finish() { try await onEvent(event) }
    }

    /// Maps transport errors; cancellation stays cancellation.
    func classify(_ error: any Error) -> any Error {
        if error is ProviderError || error is CancellationError { return error }
        if Task.isCancelled { return CancellationError() }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout: return ProviderError.timeout("no data for \(endpoint.timeouts.read)")
            case .connectTimeout: return ProviderError.timeout("could not connect within \(endpoint.timeouts.connect)")
            case .deadlineExceeded: return ProviderError.timeout("the call took longer than \(endpoint.timeouts.total)")
            case .cancelled: return CancellationError()
            default: return ProviderError.transport(scrub(String(describing: error)))
            }
        }
        return ProviderError.transport(scrub(String(describing: error)))
    }

    /// The error for a non-2xx answer.
    func failure(status: Int, headers: HTTPHeaders, body: String) -> ProviderError {
        let message = scrub(Self.errorMessage(body))
        switch status {
        case 429: return .rateLimited(retryAfter: Self.retryAfter(headers))
        case 500...599: return .server(status: status, message: message)
        case 300...399: return .client(status: status, message: "the provider redirected; set its base URL to the final address")
        default: return .client(status: status, message: message)
        }
    }

    /// A provider's own error text: `error.message` in both wire formats, else the start of the body.
    static func errorMessage(_ body: String) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return String(message.prefix(300)) }
            if let message = object["error"] as? String { return String(message.prefix(300)) }
            if let message = object["message"] as? String { return String(message.prefix(300)) }
        }
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "no details" : String(trimmed.prefix(300))
    }

    /// `Retry-After` in seconds or as an HTTP date, or OpenAI's `retry-after-ms`.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        if let milliseconds = headers.first(name: "retry-after-ms").flatMap(Double.init), milliseconds >= 0 {
            return .milliseconds(Int64(milliseconds.rounded(.up)))
        }
        guard let value = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded(.up))) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }

    /// `text` with the provider key (and any bearer token) removed, control characters dropped.
    func scrub(_ text: String) -> String {
        var text = text
        if let key = endpoint.apiKey, key.count >= 4 { text = text.replacingOccurrences(of: key, with: "[redacted]") }
        text = text.replacingOccurrences(of: #"(?i)bearer\s+\S+"#, with: "Bearer [redacted]", options: .regularExpression)
        return String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init).prefix(300))
    }

    static func join(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }
}
