import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite("Probes and version")
struct ProbeTests {
    @Test("/healthz answers 200 with a request id", arguments: TestBackend.available)
    func health(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(try response.json["status"] as? String == "ok")
                let id = try #require(response.headers[.requestID])
                #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            }
        }
    }

    @Test("/readyz is 200 on a migrated database", arguments: TestBackend.available)
    func ready(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, _ in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let json = try response.json
                #expect(json["status"] as? String == "ready")
                #expect((json["checks"] as? [String: String])?["migrations"] == "current")
            }
        }
    }

    @Test("/readyz is a 503 problem until migrations run, then 200", arguments: TestBackend.available)
    func notReadyUntilMigrated(backend: TestBackend) async throws {
        try await withTestApplication(backend, migrate: false) { client, dependencies in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.retryAfter] == "5")
                let json = try response.json
                #expect(json["type"] as? String == "urn:arbiter:problem:not-ready")
                let pending = Migration.all.map { String($0.version) }.joined(separator: ", ")
                #expect((json["detail"] as? String)?.contains("migrations pending: \(pending)") == true)
            }
            try await dependencies.migrator.migrate()
            // Readiness is shared for a second; within a few it must turn.
            var ready = false
            for _ in 0..<30 where !ready {
                ready = try await client.send(.get, "/readyz").status == .ok
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready)
        }
    }

    @Test("/api/v1/version names the build, the backend and a stable installation id", arguments: TestBackend.available)
    func version(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database, _ in
            try await Migrator(database: database).migrate()
            let ids = LockedBox<[String]>([])
            // Two separately built applications on the same database: the identity survives a restart.
            for round in 0..<2 {
                let dependencies = try await testDependencies(database)
                let user = try await dependencies.makeUser("viewer\(round)@example.com", role: .viewer)
                let api = buildRouter(dependencies: dependencies)
                try await Application(router: api.router, logger: testLogger()).test(.router) { client in
                    let token = try await client.token(for: user)
                    for _ in 0..<2 {
                        let response = try await client.send(.get, "/api/v1/version", token: token)
                        #expect(response.status == .ok)
                        let json = try response.json
                        #expect(json["name"] as? String == "arbiter")
                        #expect(json["version"] as? String == ArbiterVersion.current)
                        #expect(json["api_version"] as? String == "v1")
                        #expect(json["database"] as? String == (backend == .sqlite ? "sqlite" : "postgres"))
                        #expect(json["schema_version"] as? Int == Migration.all.last?.version)
                        ids.value.append(try #require(json["instance_id"] as? String))
                    }
                    #expect(try await client.send(.get, "/api/v1/version").status == .unauthorized)
                }
                await dependencies.shutdown()
            }
            #expect(ids.value.count == 4)
            #expect(Set(ids.value).count == 1)
        }
    }
}

@Suite("Errors and request ids")
struct ErrorTests {
    @Test("an unknown route is a problem+json 404 whose request id matches the header", arguments: ["/nope", "/api/v1", "/api/v1/../healthz", "/healthz/extra", "/%2e%2e/etc/passwd"])
    func unknownRoute(path: String) async throws {
        try await withTestApplication(.sqlite) { client, _ in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                let json = try response.json
                #expect(json["type"] as? String == "urn:arbiter:problem:not-found")
                #expect(json["title"] as? String == "Not found")
                #expect(json["status"] as? Int == 404)
                #expect((json["detail"] as? String)?.contains("/openapi.json") == true)
                #expect(json["request_id"] as? String == response.headers[.requestID])
                #expect(json["instance"] as? String != nil)
            }
        }
    }

    @Test("a known path with the wrong method is a 405 listing the allowed methods")
    func wrongMethod() async throws {
        try await withTestApplication(.sqlite) { client, _ in
            try await client.execute(uri: "/healthz", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                let json = try response.json
                #expect(json["type"] as? String == "urn:arbiter:problem:method-not-allowed")
            }
        }
    }

    @Test("a sane X-Request-ID is echoed and used in problems", arguments: ["abc-123", "trace.id:7_x", String(repeating: "a", count: 128)])
    func saneRequestID(id: String) async throws {
        try await withTestApplication(.sqlite) { client, _ in
            try await client.execute(uri: "/missing", method: .get, headers: [.requestID: id]) { response in
                #expect(response.headers[.requestID] == id)
                let json = try response.json
                #expect(json["request_id"] as? String == id)
            }
        }
    }

    @Test("an unsafe X-Request-ID is replaced", arguments: ["", "has space", "<script>alert(1)</script>", "a\"b", String(repeating: "a", count: 129), "ünï"])
    func insaneRequestID(id: String) async throws {
        try await withTestApplication(.sqlite) { client, _ in
            try await client.execute(uri: "/healthz", method: .get, headers: [.requestID: id]) { response in
                let echoed = try #require(response.headers[.requestID])
                #expect(echoed != id)
                #expect(echoed.count == 32 && echoed.allSatisfy(\.isHexDigit))
            }
        }
    }

    @Test("an unexpected error is a 500 problem that reveals nothing of the server")
    func unexpectedError() async throws {
        struct Leaky: Error, CustomStringConvertible {
            var description: String { "SELECT secret FROM vault at /srv/arbiter/Sources/Store.swift:42" }
        }
        let logs = CapturedLogs()
        try await withTestApplication(.sqlite, logger: logs.logger(), additionalRoutes: { api in
            api.on(probe(.get, "/test/explode")) { _, _ -> String in throw Leaky() }
        }) { client, dependencies in
            let token = try await client.probeToken(dependencies)
            try await client.execute(uri: "/test/explode", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .internalServerError)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(!response.text.contains("SELECT"))
                #expect(!response.text.contains("Sources"))
                let requestID = try #require(response.headers[.requestID])
                #expect((try response.json["detail"] as? String)?.contains(requestID) == true)
                // The operator gets the real error, tied to the same request id.
                let logged = logs.entries.first { $0.message == "request failed" }
                #expect(logged?.metadata["request_id"]?.description == requestID)
                #expect(logged?.metadata["error"]?.description.contains("SELECT secret") == true)
            }
        }
    }

    @Test("an unavailable database is a 503 with Retry-After, not a 500")
    func databaseUnavailable() async throws {
        try await withTestApplication(.sqlite, additionalRoutes: { api in
            api.on(probe(.get, "/test/down")) { _, _ -> String in throw StoreError(.unavailable, "connection refused") }
        }) { client, dependencies in
            let token = try await client.probeToken(dependencies)
            try await client.execute(uri: "/test/down", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(!response.text.contains("connection refused"))
            }
        }
    }

    @Test("every request is logged once with its request id, method, path and status")
    func accessLog() async throws {
        let logs = CapturedLogs()
        try await withTestApplication(.sqlite, logger: logs.logger()) { client, _ in
            try await client.execute(uri: "/healthz?token=secret", method: .get, headers: [.requestID: "access-log-1"]) { _ in }
            try await client.execute(uri: "/nope", method: .get, headers: [.requestID: "access-log-2"]) { _ in }
        }
        let requests = logs.entries.filter { $0.message == "request" }
        #expect(requests.count == 2)
        #expect(requests[0].metadata["request_id"]?.description == "access-log-1")
        #expect(requests[0].metadata["http.path"]?.description == "/healthz")
        #expect(requests[0].metadata["http.status"]?.description == "200")
        #expect(requests[1].metadata["http.status"]?.description == "404")
        #expect(!requests.contains { $0.metadata.description.contains("secret") })
    }
}

@Suite("Request bodies")
struct RequestBodyTests {
    struct Payload: Decodable, Sendable {
        let name: String
        let count: Int
        let tags: [String]?
    }

    static func echoRoute(_ api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(probe(.post, "/test/echo")) { request, context -> String in
            let payload = try await request.decodeJSON(as: Payload.self, context: context)
            return "\(payload.name):\(payload.count)"
        }
    }

    func post(_ body: String, contentType: String = "application/json", expect status: HTTPResponse.Status) async throws -> [String: Any] {
        let result = LockedBox<[String: Any]>([:])
        try await withTestApplication(.sqlite, additionalRoutes: Self.echoRoute) { client, dependencies in
            let token = try await client.probeToken(dependencies)
            try await client.execute(
                uri: "/test/echo", method: .post, headers: [.contentType: contentType, .authorization: "Bearer \(token)"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == status, "\(response.text)")
                if status != .ok {
                    #expect(response.headers[.contentType] == "application/problem+json")
                    result.value = try response.json
                } else {
                    #expect(response.text == "widget:3")
                }
            }
        }
        return result.value
    }

    @Test("a valid body is decoded")
    func valid() async throws {
        _ = try await post(#"{"name":"widget","count":3}"#, expect: .ok)
    }

    @Test("malformed JSON is a 400 that says so")
    func malformed() async throws {
        let problem = try await post(#"{"name": "widget", "count": 3"#, expect: .badRequest)
        #expect((problem["detail"] as? String)?.hasPrefix("The request body is not valid JSON") == true)
        #expect(problem["type"] as? String == "urn:arbiter:problem:invalid-body")
    }

    @Test("a missing field is a 400 naming it with a JSON pointer")
    func missingField() async throws {
        let problem = try await post(#"{"name":"widget"}"#, expect: .badRequest)
        #expect(problem["detail"] as? String == "Field `count` is required.")
        let errors = try #require(problem["errors"] as? [[String: String]])
        #expect(errors.first?["pointer"] == "/count")
    }

    @Test("a field of the wrong type is a 400 saying what type it must be")
    func wrongType() async throws {
        let problem = try await post(#"{"name":"widget","count":"three"}"#, expect: .badRequest)
        #expect(problem["detail"] as? String == "Field `count` must be an integer.")
        let nested = try await post(#"{"name":"widget","count":3,"tags":["a",7]}"#, expect: .badRequest)
        #expect(nested["detail"] as? String == "Field `tags[1]` must be a string.")
        #expect((nested["errors"] as? [[String: String]])?.first?["pointer"] == "/tags/1")
    }

    @Test("null where a value is required is a 400")
    func nullValue() async throws {
        let problem = try await post(#"{"name":null,"count":3}"#, expect: .badRequest)
        #expect(problem["detail"] as? String == "Field `name` must not be null.")
    }

    @Test("a JSON array where an object is expected is a 400")
    func wrongRoot() async throws {
        let problem = try await post(#"[1,2]"#, expect: .badRequest)
        #expect(problem["detail"] as? String == "The request body must be an object.")
    }

    @Test("an empty body is a 400")
    func empty() async throws {
        let problem = try await post("", expect: .badRequest)
        #expect(problem["detail"] as? String == "The request body is empty; send a JSON object.")
    }

    @Test("a non-JSON content type is a 415")
    func wrongContentType() async throws {
        let problem = try await post("name=widget", contentType: "application/x-www-form-urlencoded", expect: .unsupportedMediaType)
        #expect((problem["detail"] as? String)?.contains("application/json") == true)
    }

    @Test("a body over the limit is a 413 naming the limit")
    func tooLarge() async throws {
        let big = #"{"name":""# + String(repeating: "x", count: 2 << 20) + #"","count":1}"#
        let problem = try await post(big, expect: .contentTooLarge)
        #expect(problem["limit_bytes"] as? Int == 1 << 20)
    }
}

/// Documentation for a route that exists only in tests; any signed-in principal may call it.
func probe(_ method: HTTPRequest.Method, _ path: String) -> RouteDocumentation {
    RouteDocumentation(
        method: method, path: path, operationID: "test\(path.replacingOccurrences(of: "/", with: "_"))", summary: "Test probe.",
        tags: ["test"], access: .requires(.readSelf), responses: [200: .init("OK", contentType: "text/plain")])
}

extension TestClientProtocol {
    /// A token of a fresh viewer, for calling probe routes.
    func probeToken(_ dependencies: ServerDependencies) async throws -> String {
        try await token(for: try await dependencies.makeUser("probe-\(UUID().uuidString.prefix(8).lowercased())@example.com", role: .viewer))
    }
}

/// A mutable value shared with a `@Sendable` closure in tests.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
