import ArbiterCore
import Foundation
import HTTPTypes
import Hummingbird

/// An error response in RFC 9457 form (`application/problem+json`), thrown by handlers and middleware.
///
/// The `type` is a stable URN clients can switch on; `detail` says what went wrong and how to fix it.
public struct Problem: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// Stable short name, published as `urn:arbiter:problem:<slug>`.
    public let slug: String
    public let title: String
    public let detail: String
    /// Extra headers, such as `Allow` or `Retry-After`.
    public var headers: HTTPFields
    /// Extra members of the problem object.
    public var extensions: [String: JSONValue]

    public init(
        _ status: HTTPResponse.Status, slug: String, title: String, detail: String, headers: HTTPFields = [:],
        extensions: [String: JSONValue] = [:]
    ) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers
        self.extensions = extensions
    }

    /// The `type` member.
    public var type: String { "urn:arbiter:problem:\(slug)" }

    public var description: String { "\(status.code) \(slug): \(detail)" }

    public static func badRequest(_ detail: String) -> Problem {
        Problem(.badRequest, slug: "bad-request", title: "Bad request", detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, slug: "not-found", title: "Not found", detail: detail)
    }

    public static func unavailable(_ detail: String, retryAfterSeconds: Int = 5) -> Problem {
        Problem(
            .serviceUnavailable, slug: "unavailable", title: "Service unavailable", detail: detail,
            headers: [.retryAfter: String(retryAfterSeconds)])
    }

    public static func internalError(requestID: String) -> Problem {
        Problem(
            .internalServerError, slug: "internal", title: "Internal server error",
            detail: "Something went wrong on the server. It has been logged; quote request id \(requestID) when reporting it.")
    }

    /// Renders the problem for the request it answers.
    func response(path: String, requestID: String) -> Response {
        var object = extensions
        object["type"] = .string(type)
        object["title"] = .string(title)
        object["status"] = .number(Double(status.code))
        object["detail"] = .string(detail)
        object["instance"] = .string(path)
        object["request_id"] = .string(requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body = (try? encoder.encode(JSONValue.object(object))) ?? Data("{}".utf8)
        // Details can quote the request back; escape markup so no client could ever render it as HTML.
        if body.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") }) {
            body = Data(
                String(decoding: body, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
                    .replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "&", with: "\\u0026").utf8)
        }
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension JSONValue {
    /// The OpenAPI schema of a problem response body.
    static let problemSchema: JSONValue = [
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance", "request_id"],
        "properties": [
            "type": ["type": "string", "description": "Stable identifier of the kind of problem, urn:arbiter:problem:<slug>."],
            "title": ["type": "string", "description": "Short summary of the kind of problem."],
            "status": ["type": "integer", "description": "The HTTP status code."],
            "detail": ["type": "string", "description": "What went wrong with this request and how to fix it."],
            "instance": ["type": "string", "description": "Path of the request that failed."],
            "request_id": ["type": "string", "description": "Id of the request, as in the X-Request-ID header and the logs."],
        ],
    ]
}
