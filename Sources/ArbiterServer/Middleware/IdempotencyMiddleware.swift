import ArbiterCore
import ArbiterStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}

/// `Idempotency-Key` on authenticated `POST`s: the first successful answer is stored and replayed to every retry
/// with the same key and the same request, for 24 hours; the same key with a different request is `422`; a retry
/// while the first is still running is `409`. Keys are per caller (user or API key), so callers never see each
/// other's answers. A request that fails (an error response, 4xx or 5xx) gives its key back, so it can be retried
/// with it; streamed answers (server-sent events) are not stored and give the key back too.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext

    let store: IdempotencyStore
    /// Largest answer stored for replay; a larger one is sent and its key given back.
    let maxStoredBody: Int

    init(store: IdempotencyStore, maxStoredBody: Int = 4 << 20) {
        self.store = store
        self.maxStoredBody = maxStoredBody
    }

    /// Headers a replay repeats; the rest (request id, security headers, rate limits) belong to the retry itself.
    static let replayedHeaders: Set<HTTPField.Name> = [.contentType, .location, .eTag, .lastModified, .retryAfter, .contentLanguage]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[.idempotencyKey], let principal = context.principal else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem(
                .badRequest, slug: "invalid-idempotency-key", title: "Invalid Idempotency-Key",
                detail: "Idempotency-Key must be 1 to 255 visible ASCII characters without spaces, such as a UUID; it was \(key.utf8.count) bytes.")
        }
        var request = request
        let body = try await request.collectBody(upTo: context.bodyLimit)
        let target = request.uri.description
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(target)\n".utf8))
        hasher.update(data: body.readableBytesView)
        let claim = IdempotencyStore.Request(
            caller: "\(principal.organizationID)/\(principal.kind.rawValue):\(principal.id)", key: key, method: request.method.rawValue,
            path: target, hash: hasher.finalize().map { String(format: "%02x", $0) }.joined())

        switch try await store.claim(claim) {
        case .replay(let answer):
            var headers = HTTPFields()
            for pair in answer.headers where pair.count == 2 {
                if let name = HTTPField.Name(pair[0]) { headers.append(HTTPField(name: name, value: pair[1])) }
            }
            headers[.idempotentReplayed] = "true"
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        case .inProgress:
            throw Problem(
                .conflict, slug: "idempotency-request-in-progress", title: "Request with this Idempotency-Key in progress",
                detail: "A request with Idempotency-Key '\(key)' is still running. Retry after it finishes to receive its answer.",
                headers: [.retryAfter: "1"])
        case .mismatch(let method, let path, let firstUsed):
            throw Problem(
                .unprocessableContent, slug: "idempotency-key-reused", title: "Idempotency-Key reused for a different request",
                detail:
                    "Idempotency-Key '\(key)' was first used at \(ISO8601DateFormatter().string(from: firstUsed)) for \(method) \(path) with a different body. Send exactly the first request to receive its answer again, or use a new key for a new request.",
                extensions: ["first_request": .string("\(method) \(path)")])
        case .claimed:
            break
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await store.release(claim)
            throw error
        }
        guard response.status.code < 400, response.headers[.contentType]?.hasPrefix("text/event-stream") != true,
            let length = response.body.contentLength, length <= maxStoredBody
        else {
            try? await store.release(claim)
            return response
        }
        let collector = BodyCollector()
        do {
            try await response.body.write(collector)
        } catch {
            try? await store.release(claim)
            throw error
        }
        let bytes = collector.bytes
        let headers = response.headers.filter { Self.replayedHeaders.contains($0.name) }.map { [$0.name.rawName, $0.value] }
        do {
            try await store.complete(claim, with: .init(status: Int(response.status.code), headers: headers, body: bytes))
        } catch {
            // The work is done; not being able to remember the answer must not turn it into a failure.
            context.logger.warning("could not store an idempotent answer", metadata: ["error": "\(error)"])
            try? await store.release(claim)
        }
        var replayable = response
        replayable.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
        return replayable
    }
}

/// Gathers a response body that was already complete in memory.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var bytes: [UInt8] = []

    func write(_ buffer: ByteBuffer) async throws { bytes.append(contentsOf: buffer.readableBytesView) }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
