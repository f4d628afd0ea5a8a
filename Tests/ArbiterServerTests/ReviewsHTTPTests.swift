import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Reviews API")
struct ReviewsHTTPTests {
    static let vulnerable = #"import os\n\ndef handler(request):\n    api_key = \"Zx9Qw2Lm8Rt4Vb6Np1Ks7Hd3Jf5Gc0Ty\"\n    return api_key\n"#

    static func body(_ files: [(String, String)], extra: String = "") -> String {
        let items = files.map { #"{"path":"\#($0.0)","content":"\#($0.1)"}"# }.joined(separator: ",")
        return #"{"files":[\#(items)]\#(extra)}"#
    }

    @Test("a review is stored, read back and listed; the same input again is answered from the cache", arguments: TestBackend.available)
    func createReadList(backend: TestBackend) async throws {
        try await withTestApplication(backend) { client, dependencies in
            let dev = try await dependencies.makeUser("dev@example.com", role: .developer)
            let token = try await client.token(for: dev)
            let created = try await client.send(.post, "/api/v1/reviews", token: token, json: Self.body([("app/keys.py", Self.vulnerable), ("README.txt", "hello")]))
            #expect(created.status == .created)
            let review = try created.json
            let id = try #require(review["id"] as? String)
            #expect(created.headers[.location] == "/api/v1/reviews/\(id)")
            #expect(review["cached"] as? Bool == false)
            let findings = try #require(review["findings"] as? [[String: Any]])
            let secret = try #require(findings.first { $0["cwe"] as? String == "CWE-798" })
            #expect(secret["path"] as? String == "app/keys.py")
            #expect(secret["line"] as? Int == 4)
            #expect(secret["source"] as? String == "analyzer")
            #expect((review["skipped"] as? [[String: Any]])?.first?["reason"] as? String == "unsupported-language")
            #expect((review["summary"] as? [String: Any])?["total"] as? Int == findings.count)

            let again = try await client.send(.post, "/api/v1/reviews", token: token, json: Self.body([("app/keys.py", Self.vulnerable), ("README.txt", "hello")]))
            #expect(again.status == .ok)
            #expect(try again.json["cached"] as? Bool == true)
            #expect(try again.json["id"] as? String == id)

            let read = try await client.send(.get, "/api/v1/reviews/\(id)", token: token)
            #expect(read.status == .ok)
            #expect((try read.json["findings"] as? [[String: Any]])?.count == findings.count)

            let list = try await client.send(.get, "/api/v1/reviews?limit=1", token: token)
            let items = try #require(try list.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["id"] as? String == id && items[0]["finding_count"] as? Int == findings.count)
        }
    }

    @Test("another organization's review is not found, and its own list does not show it")
    func tenantIsolation() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let alice = try await dependencies.makeUser("alice@example.com", role: .developer, organization: "acme")
            let mallory = try await dependencies.makeUser("mallory@example.com", role: .admin, organization: "evil")
            let aliceToken = try await client.token(for: alice)
            let malloryToken = try await client.token(for: mallory)
            let created = try await client.send(.post, "/api/v1/reviews", token: aliceToken, json: Self.body([("a.py", Self.vulnerable)]))
            let id = try #require(try created.json["id"] as? String)
            let stolen = try await client.send(.get, "/api/v1/reviews/\(id)", token: malloryToken)
            #expect(stolen.status == .notFound)
            let list = try await client.send(.get, "/api/v1/reviews", token: malloryToken)
            #expect((try list.json["items"] as? [Any])?.isEmpty == true)
            // The same input from the other organization is computed afresh, not served from acme's cache.
            let theirs = try await client.send(.post, "/api/v1/reviews", token: malloryToken, json: Self.body([("a.py", Self.vulnerable)]))
            #expect(theirs.status == .created)
            #expect(try theirs.json["cached"] as? Bool == false)
        }
    }

    @Test("viewers may read but not submit; no credentials is 401")
    func access() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let viewer = try await dependencies.makeUser("viewer@example.com", role: .viewer)
            let token = try await client.token(for: viewer)
            #expect(try await client.send(.post, "/api/v1/reviews", token: token, json: Self.body([("a.py", "x = 1")])).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/reviews", token: token).status == .ok)
            #expect(try await client.send(.post, "/api/v1/reviews", json: Self.body([("a.py", "x = 1")])).status == .unauthorized)
        }
    }

    @Test("bad input gets a 4xx problem naming the field or the limit")
    func badInput() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let dev = try await dependencies.makeUser("dev@example.com", role: .developer)
            let token = try await client.token(for: dev)
            func problem(_ json: String) async throws -> (HTTPResponse.Status, String) {
                let response = try await client.send(.post, "/api/v1/reviews", token: token, json: json)
                #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                return (response.status, try response.json["detail"] as? String ?? "")
            }
            var (status, detail) = try await problem(#"{}"#)
            #expect(status == .unprocessableContent && detail.contains("exactly one of `files`"))
            (status, detail) = try await problem(#"{"files":[],"diff":""}"#)
            #expect(status == .unprocessableContent)
            (status, detail) = try await problem(#"{"files":[{"path":"a.py","content":"x"}],"language":"cobol"}"#)
            #expect(status == .unprocessableContent && detail.contains("`language`") && detail.contains("python"))
            (status, detail) = try await problem(#"{"files":[{"path":"a.py","content":"x"}],"min_severity":"huge"}"#)
            #expect(status == .unprocessableContent && detail.contains("`min_severity`"))
            (status, detail) = try await problem(#"{"files":[{"path":"a.py","content":"x"},{"path":"a.py","content":"y"}]}"#)
            #expect(status == .unprocessableContent && detail.contains("files[1].path"))
            (status, detail) = try await problem(#"{"diff":"@@ -1,2 +1,2 @@\n+only one line\n"}"#)
            #expect(status == .unprocessableContent && detail.contains("diff"))
            (status, _) = try await problem(#"{"files":[{"path":"a.py"}]}"#)
            #expect(status == .badRequest)
            let tooMany = (0...1000).map { ("f\($0).py", "x = 1") }
            (status, detail) = try await problem(Self.body(tooMany))
            #expect(status == .contentTooLarge && detail.contains("1000"))
        }
    }

    @Test("a diff reports only added lines, numbered as in the new file")
    func diff() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let dev = try await dependencies.makeUser("dev@example.com", role: .developer)
            let token = try await client.token(for: dev)
            let diff = [
                "diff --git a/app.py b/app.py", "--- a/app.py", "+++ b/app.py", "@@ -10,3 +10,4 @@ def main():",
                #"     old_key = \"Qw2Lm8Rt4Vb6Np1Ks7Hd3Jf5Gc0TyZx9\""#, "     pass", #"+    api_key = \"Zx9Qw2Lm8Rt4Vb6Np1Ks7Hd3Jf5Gc0Ty\""#,
                "     return 1", "",
            ].joined(separator: "\\n")
            let response = try await client.send(.post, "/api/v1/reviews", token: token, json: #"{"diff":"\#(diff)"}"#)
            #expect(response.status == .created)
            let findings = try #require(try response.json["findings"] as? [[String: Any]])
            #expect(findings.map { $0["line"] as? Int } == [12])
            #expect(findings.first?["path"] as? String == "app.py")
        }
    }

    @Test("Accept: text/event-stream streams file, finding and summary events")
    func serverSentEvents() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let dev = try await dependencies.makeUser("dev@example.com", role: .developer)
            let token = try await client.token(for: dev)
            let response = try await client.send(
                .post, "/api/v1/reviews", token: token, json: Self.body([("a.py", Self.vulnerable), ("b.py", "x = 1")]),
                headers: [.accept: "text/event-stream"])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let events = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.compactMap { block -> String? in
                block.split(separator: "\n").first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
            }
            #expect(events == ["file_started", "finding", "file_done", "file_started", "file_done", "summary"])
            let summary = try #require(response.text.components(separatedBy: "event: summary\ndata: ").last)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
            let id = try #require(object["id"] as? String)
            #expect(try await client.send(.get, "/api/v1/reviews/\(id)", token: token).status == .ok)
        }
    }

    @Test("identical requests at once are computed once and stored once")
    func inFlight() async throws {
        try await withTestApplication(.sqlite) { client, dependencies in
            let dev = try await dependencies.makeUser("dev@example.com", role: .developer)
            let token = try await client.token(for: dev)
            let big = String(repeating: #"    x = compute(1)\n"#, count: 3000)
            let body = Self.body([("big.py", "def f():\\n" + big)])
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 { group.addTask { try await client.send(.post, "/api/v1/reviews", token: token, json: body).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created || $0 == .ok })
            #expect(statuses.count { $0 == .created } == 1)
            let page = try await dependencies.reviews.list(organizationID: dev.organizationID, limit: 100, cursor: nil)
            #expect(page.reviews.count == 1)
        }
    }
}
