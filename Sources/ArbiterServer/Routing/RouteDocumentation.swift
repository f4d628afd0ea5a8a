import ArbiterCore
import HTTPTypes

/// Everything the OpenAPI document says about one route, declared beside its handler.
///
/// A class, so that carrying it in the request context (copied at every middleware) costs one reference.
public final class RouteDocumentation: Sendable {
    /// One documented response.
    public struct Response: Sendable {
        public let description: String
        /// Media type of the body, or `nil` for an empty body.
        public let contentType: String?
        /// JSON Schema of the body.
        public let schema: JSONValue?

        public init(_ description: String, contentType: String? = "application/json", schema: JSONValue? = nil) {
            self.description = description
            self.contentType = contentType
            self.schema = schema
        }

        /// An `application/problem+json` error response.
        public static func problem(_ description: String) -> Response {
            Response(description, contentType: "application/problem+json", schema: .ref("Problem"))
        }
    }

    public let method: HTTPRequest.Method
    /// Path in OpenAPI template form, e.g. `/api/v1/reviews/{id}`.
    public let path: String
    public let operationID: String
    public let summary: String
    public let tags: [String]
    public let access: RouteAccess
    public let rateLimiting: RateLimiting
    /// The JSON Schema of the request body, when the route takes one.
    public let requestBody: JSONValue?
    /// Query parameters: name, JSON Schema, description.
    public let queryParameters: [(name: String, schema: JSONValue, description: String)]
    public let responses: [Int: Response]

    public init(
        method: HTTPRequest.Method, path: String, operationID: String, summary: String, tags: [String],
        access: RouteAccess, rateLimiting: RateLimiting = .byMethod, requestBody: JSONValue? = nil,
        queryParameters: [(name: String, schema: JSONValue, description: String)] = [], responses: [Int: Response]
    ) {
        self.method = method
        self.path = path
        self.operationID = operationID
        self.summary = summary
        self.tags = tags
        self.access = access
        self.rateLimiting = rateLimiting
        self.requestBody = requestBody
        self.queryParameters = queryParameters
        var responses = responses
        // Every route can answer these; documenting them here keeps each declaration short.
        if case .requires = access {
            responses[401] = responses[401] ?? .problem("Missing, expired or invalid credentials.")
            responses[403] = responses[403] ?? .problem("The caller lacks the permission this route requires.")
        }
        if rateLimiting != .exempt {
            responses[429] = responses[429] ?? .problem("Too many requests; see Retry-After.")
        }
        self.responses = responses
    }

    /// The budget this route draws from, or `nil` when it is exempt.
    public var rateClass: RateClass? {
        switch rateLimiting {
        case .exempt: nil
        case .auth: .auth
        case .review: .review
        case .byMethod: method == .get || method == .head ? .read : .write
        }
    }

    /// Whether `requestPath` (already without a query) is an instance of this route's template.
    func matches(path requestPath: some StringProtocol) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: true)
        let actual = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        guard template.count == actual.count else { return false }
        return zip(template, actual).allSatisfy { pattern, segment in
            (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
        }
    }
}

extension JSONValue {
    /// A `$ref` to a schema in the document's components.
    public static func ref(_ schema: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(schema)")]
    }
}
