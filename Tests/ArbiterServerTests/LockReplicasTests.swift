import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Ontology locks held across replicas: two `arbiter serve` processes on one PostgreSQL database, with requests
/// racing through both.
@Suite("Ontology locks across two server processes", .timeLimit(.minutes(5)))
struct LockReplicasTests {
    struct Reply: Sendable {
        let status: UInt
        let text: String
        var body: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    }

    /// One request through a real socket.
    static func send(_ method: HTTPMethod, _ url: String, token: String? = nil, json: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return Reply(status: response.status.code, text: text)
    }

    @Test(
        "never two holders across replicas, fencing tokens strictly increase, and an expired holder's write is refused",
        .enabled(if: TestBackend.available.contains(.postgres)))
    func twoReplicas() async throws {
        try await withTestDatabase(.postgres) { _, configuration in
            guard case .postgres(let settings) = configuration, let base = TestBackend.postgresURL, var url = URLComponents(string: base) else {
                throw TestDatabaseError(description: "needs a PostgreSQL test database")
            }
            url.path = "/" + settings.database
            let databaseURL = try #require(url.string)
            let password = "Rx7-replica-Pw-\(UUID().uuidString)"
            // Both replicas share the secrets, as replicas behind one load balancer must; made fresh for each run.
            func randomBase64() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }
            let environment = [
                "ARBITER_JWT_SECRET": randomBase64(),
                "ARBITER_MASTER_KEY": "base64:" + randomBase64(),
                "ARBITER_BOOTSTRAP_ADMIN_EMAIL": "admin@example.com", "ARBITER_BOOTSTRAP_ADMIN_PASSWORD": password,
                "ARBITER_RATE_LIMIT_READ": "100000/1s", "ARBITER_RATE_LIMIT_WRITE": "100000/1s", "ARBITER_RATE_LIMIT_AUTH": "1000/1s",
            ]
            var servers: [ArbiterProcess] = []
            var serving: [String] = []
            defer { for server in servers { server.send(SIGKILL) } }
            for _ in 0..<2 {
                let server = try ArbiterProcess(
                    ["serve", "--port", "0", "--database-url", databaseURL, "--data-dir", try temporaryFolder()], environment: environment)
                servers.append(server)
                serving.append(try await server.waitUntilServing())
            }
            let urls = serving
            let login = try await Self.send(
                .POST, urls[0] + "/api/v1/auth/login", json: #"{"email":"admin@example.com","password":"\#(password)"}"#)
            let token = try #require(login.body["access_token"] as? String, "\(login.text)")

            // Rounds of 16 racing acquirers, half through each replica, for one resource type.
            var lastToken = 0
            for round in 0..<15 {
                let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                    for index in 0..<16 {
                        group.addTask {
                            try await Self.send(
                                .POST, urls[index % 2] + "/api/v1/locks", token: token,
                                json: #"{"branch":"main","resource_type":"object-types","ttl_seconds":60,"reason":"round \#(round)"}"#)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let granted = replies.filter { $0.status == 201 }
                #expect(granted.count == 1, "round \(round): \(replies.map(\.status))")
                #expect(replies.allSatisfy { $0.status == 201 || $0.status == 423 }, "\(replies.map(\.text))")
                let winner = try #require(granted.first)
                let fencing = try #require(winner.body["fencing_token"] as? Int)
                #expect(fencing > lastToken, "tokens must grow: \(fencing) after \(lastToken)")
                lastToken = fencing
                // Both replicas see the same single holder.
                for replica in urls {
                    let listed = try await Self.send(.GET, replica + "/api/v1/locks?branch=main", token: token)
                    #expect((listed.body["items"] as? [Any])?.count == 1)
                }
                let id = try #require(winner.body["id"] as? String)
                let released = try await Self.send(.DELETE, urls[(round + 1) % 2] + "/api/v1/locks/\(id)?fencing_token=\(fencing)", token: token)
                #expect(released.status == 204, "\(released.text)")
            }

            // A holder whose lease ran out cannot write through either replica; the next holder's token is larger.
            let type = #"{"display_name":"Employee","properties":[{"id":"k","display_name":"K","data_type":"string","primary_key":true,"required":true,"unique":true}]}"#
            let short = try await Self.send(.POST, urls[0] + "/api/v1/locks", token: token, json: #"{"branch":"main","resource_type":"object-types","ttl_seconds":1}"#)
            let shortToken = try #require(short.body["fencing_token"] as? Int)
            let fresh = try await Self.send(
                .PUT, urls[1] + "/api/v1/branches/main/object-types/employee", token: token, json: type, headers: [("X-Lock-Token", String(shortToken))])
            #expect(fresh.status == 201, "\(fresh.text)")
            try await Task.sleep(for: .milliseconds(1_500))
            for replica in urls {
                let late = try await Self.send(
                    .PUT, replica + "/api/v1/branches/main/object-types/employee", token: token, json: type.replacingOccurrences(of: "Employee", with: "Late"),
                    headers: [("X-Lock-Token", String(shortToken))])
                #expect(late.status == 409, "\(late.text)")
                #expect(late.text.contains("lock-token-stale"))
            }
            let next = try await Self.send(.POST, urls[1] + "/api/v1/locks", token: token, json: #"{"branch":"main","resource_type":"object-types","ttl_seconds":30}"#)
            #expect(next.status == 201)
            #expect(try #require(next.body["fencing_token"] as? Int) > shortToken)

            for server in servers { server.send(SIGTERM) }
            for server in servers { #expect(try await server.waitForExit() == 0) }
        }
    }
}
