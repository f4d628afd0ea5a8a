import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Request-ID`, echoed on every response and carried in every log line.
    public static let xRequestID = HTTPField.Name("X-Request-ID")!
}

/// Gives every request an id: the caller's `X-Request-ID` when it is sane, otherwise a new one.
///
/// The id goes on the response, into the request's logger as `request_id`, and into problem bodies.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ArbiterRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = request.headers[.xRequestID].flatMap(Self.acceptedID) ?? RequestIDGenerator.next()
        context.requestID = id
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }

    /// Accepts 1 to 128 characters of letters, digits and `-_.:`; anything else could forge log lines.
    static func acceptedID(_ candidate: String) -> String? {
        let utf8 = candidate.utf8
        guard (1...128).contains(utf8.count) else { return nil }
        let allowed = utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
        return allowed ? candidate : nil
    }
}
