import ArbiterCore
import Foundation
import HTTPTypes

/// Builds the OpenAPI 3.1 description of every registered route.
public enum OpenAPIDocument {
    /// The document for `routes`, with `schemas` as its reusable components.
    public static func build(routes: [RouteDocumentation], schemas: [String: JSONValue]) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for route in routes {
            var responses: [String: JSONValue] = [:]
            for (status, response) in route.responses {
                var entry: [String: JSONValue] = ["description": .string(response.description)]
                if let contentType = response.contentType {
                    entry["content"] = [contentType: ["schema": response.schema ?? ["type": "object"]]]
                }
                responses[String(status)] = .object(entry)
            }
            var operation: [String: JSONValue] = [
                "operationId": .string(route.operationID),
                "summary": .string(route.summary),
                "tags": .array(route.tags.map(JSONValue.string)),
                "responses": .object(responses),
                "x-arbiter-access": .string(accessName(route.access)),
            ]
            switch route.access {
            case .public:
                // An empty security requirement marks the operation as callable without credentials.
                operation["security"] = []
            case .requires(let permission):
                operation["security"] = [["bearerAuth": []], ["cookieAuth": []]]
                operation["x-arbiter-minimum-role"] = .string(permission.minimumRole.rawValue)
                operation["x-arbiter-api-keys-allowed"] = .bool(permission.allowsServiceAccounts)
            }
            if let body = route.requestBody {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
            }
            var parameters: [JSONValue] = pathParameters(route.path).map { name in
                ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
            }
            for query in route.queryParameters {
                parameters.append(
                    ["name": .string(query.name), "in": "query", "required": false, "schema": query.schema,
                     "description": .string(query.description)])
            }
            if route.method == .post, case .requires = route.access {
                parameters.append(idempotencyKeyParameter)
                for (status, description) in idempotencyResponses where responses[status] == nil {
                    responses[status] = [
                        "description": .string(description),
                        "content": ["application/problem+json": ["schema": .ref("Problem")]],
                    ]
                }
                operation["responses"] = .object(responses)
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            paths[route.path, default: [:]][route.method.rawValue.lowercased()] = .object(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Arbiter API",
                "version": .string(ArbiterVersion.current),
                "description": "Self-hosted AI code review and architecture analysis. Errors are RFC 9457 problem documents.",
            ],
            "paths": .object(paths.mapValues { JSONValue.object($0) }),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": [
                    "bearerAuth": [
                        "type": "http", "scheme": "bearer",
                        "description": "An access token from /api/v1/auth/login, or an API key (arb_…).",
                    ],
                    "cookieAuth": [
                        "type": "apiKey", "in": "cookie", "name": "arbiter_access",
                        "description": "Browser session from a cookie-mode login; unsafe methods also need X-CSRF-Token.",
                    ],
                ],
            ],
        ]
    }

    /// The document encoded as JSON with sorted keys, ready to serve.
    public static func encode(_ document: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: it holds only JSON types.
        return (try? encoder.encode(document)) ?? Data()
    }

    /// Every authenticated `POST` honours `Idempotency-Key` (see `IdempotencyMiddleware`).
    static let idempotencyKeyParameter: JSONValue = [
        "name": "Idempotency-Key", "in": "header", "required": false,
        "schema": ["type": "string", "pattern": "^[!-~]{1,255}$"],
        "description": """
            A key of your choosing (a UUID) that makes retries safe: the first successful answer is replayed, with \
            `Idempotent-Replayed: true`, to every request with the same key and body for 24 hours.
            """,
    ]

    static let idempotencyResponses: [(String, String)] = [
        ("400", "Malformed request, such as an Idempotency-Key that is not 1 to 255 visible ASCII characters."),
        ("409", "A request with the same Idempotency-Key is still running; retry after it finishes."),
        ("422", "The request is invalid, or its Idempotency-Key was first used for a different request."),
    ]

    private static func accessName(_ access: RouteAccess) -> String {
        switch access {
        case .public: "public"
        case .requires(let permission): "permission:\(permission.rawValue)"
        }
    }

    private static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}
