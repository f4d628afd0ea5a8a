import ArbiterCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// How deeply a request body may nest objects and arrays; deeper input is refused before it is parsed.
    public static let maximumJSONDepth = 32

    /// Decodes the body as JSON into `T`, answering bad input with a problem that says what is wrong.
    ///
    /// - A content type other than JSON is `415`; a body over the context's limit is `413`.
    /// - An empty body, malformed JSON, a missing or null field, or a field of the wrong type is `400`, with
    ///   the field's JSON Pointer in `errors[].pointer`.
    public func decodeJSON<T: Decodable>(as type: T.Type, context: ArbiterRequestContext) async throws -> T {
        if let contentType = headers[.contentType]?.lowercased(),
            !(contentType.hasPrefix("application/json") || contentType.contains("+json"))
        {
            throw Problem(
                .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type",
                detail: "Send the body as JSON with Content-Type: application/json (got \(contentType)).")
        }
        var request = self
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw Problem.contentTooLarge(limit: context.maxUploadSize)
        }
        guard body.readableBytes > 0 else {
            throw Problem.badRequest("The request body is empty; send a JSON object.")
        }
        if JSONDepth.maximum(in: body.readableBytesView, limit: Self.maximumJSONDepth) > Self.maximumJSONDepth {
            throw Problem.badRequest("The request body nests objects and arrays deeper than \(Self.maximumJSONDepth) levels.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw Problem.invalidJSON(error)
        }
    }
}

extension Problem {
    /// `413` naming the limit.
    public static func contentTooLarge(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, slug: "content-too-large", title: "Content too large",
            detail: "The request body is larger than the \(limit)-byte limit of this endpoint.",
            extensions: ["limit_bytes": .number(Double(limit))])
    }

    /// `400` describing a decoding failure in terms of the JSON the client sent.
    static func invalidJSON(_ error: DecodingError) -> Problem {
        let (path, detail): ([any CodingKey], String)
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let reason = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            path = []
            detail = "The request body is not valid JSON" + (reason.map { ": \($0)" } ?? ".")
        case .dataCorrupted(let context):
            path = context.codingPath
            detail = "Field `\(dottedPath(path))` is invalid: \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
            detail = "Field `\(dottedPath(path))` is required."
        case .valueNotFound(_, let context):
            path = context.codingPath
            detail = "Field `\(dottedPath(path))` must not be null."
        case .typeMismatch(let expected, let context):
            path = context.codingPath
            detail = path.isEmpty
                ? "The request body must be \(jsonTypeName(expected))."
                : "Field `\(dottedPath(path))` must be \(jsonTypeName(expected))."
        @unknown default:
            path = []
            detail = "The request body could not be read."
        }
        return Problem(
            .badRequest, slug: "invalid-body", title: "Invalid request body", detail: detail,
            extensions: ["errors": [["pointer": .string(jsonPointer(path)), "detail": .string(detail)]]])
    }

    private static func dottedPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    /// RFC 6901 pointer to the field, e.g. `/files/0/path`.
    private static func jsonPointer(_ path: [any CodingKey]) -> String {
        path.map { key in
            "/" + (key.intValue.map(String.init) ?? key.stringValue)
                .replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined()
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: "a string"
        case is Bool.Type: "true or false"
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type, is Decimal.Type: "a number"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "a \(type)"
        }
    }
}
