import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    /// Fetches /openapi.json from the real router, and the routes that router really has.
    func documentAndRoutes() async throws -> (document: [String: Any], routes: Set<String>) {
        let result = LockedBox<([String: Any], Set<String>)>(([:], []))
        try await withTestDatabase(.sqlite) { database, _ in
            let api = buildRouter(dependencies: try await testDependencies(database))
            let routes = Set(api.router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            try await Application(router: api.router, logger: testLogger()).test(.router) { client in
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json")
                    result.value = (try response.json, routes)
                }
            }
        }
        return result.value
    }

    @Test("the document lists exactly the routes the router serves")
    func documentMatchesRouter() async throws {
        let (document, routes) = try await documentAndRoutes()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(!routes.isEmpty)
        let missing = routes.subtracting(documented)
        let phantom = documented.subtracting(routes)
        #expect(missing.isEmpty, "routes the router serves but the document leaves out: \(missing.sorted())")
        #expect(phantom.isEmpty, "routes the document names but the router does not serve: \(phantom.sorted())")
        for expected in ["GET /healthz", "GET /readyz", "GET /api/v1/version", "GET /openapi.json"] {
            #expect(routes.contains(expected))
        }
    }

    @Test("every operation has an id, a summary, responses and a declared access")
    func operationsAreComplete() async throws {
        let (document, _) = try await documentAndRoutes()
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var operationIDs: [String] = []
        for (path, operations) in paths {
            for (method, operation) in operations {
                let where_ = "\(method.uppercased()) \(path)"
                let id = try #require(operation["operationId"] as? String, "\(where_) has no operationId")
                operationIDs.append(id)
                #expect((operation["summary"] as? String)?.isEmpty == false, "\(where_) has no summary")
                let responses = try #require(operation["responses"] as? [String: [String: Any]], "\(where_) has no responses")
                #expect(!responses.isEmpty)
                for (status, response) in responses {
                    #expect(Int(status) != nil)
                    #expect(response["description"] as? String != nil, "\(where_) \(status) has no description")
                }
                let access = operation["x-arbiter-access"] as? String ?? ""
                #expect(access == "public" || Permission.allCases.map { "permission:\($0.rawValue)" }.contains(access), "\(where_) declares no access")
                if access == "public" {
                    #expect(PublicRoutes.contains(.init(method.uppercased())!, path), "\(where_) is public but not on the public list")
                }
            }
        }
        #expect(Set(operationIDs).count == operationIDs.count, "operation ids must be unique")
    }

    @Test("every schema reference resolves")
    func referencesResolve() async throws {
        let (document, _) = try await documentAndRoutes()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        var references: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let ref = object["$ref"] as? String { references.append(ref) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in references {
            #expect(reference.hasPrefix("#/components/schemas/"))
            #expect(schemas[String(reference.dropFirst("#/components/schemas/".count))] != nil, "\(reference) does not resolve")
        }
    }
}
