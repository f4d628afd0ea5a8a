import ArbiterCore
import ArbiterStore
import ArbiterTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One GET through a real socket.
func httpGet(_ url: String, timeout: TimeAmount = .seconds(10)) async throws -> (status: UInt, headers: HTTPHeaders, body: String) {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: timeout)
    let body = try await response.body.collect(upTo: 1 << 20)
    return (response.status.code, response.headers, String(buffer: body))
}

@Suite("The arbiter binary", .timeLimit(.minutes(3)))
struct BinaryEndToEndTests {
    @Test("a fresh start creates the data folder, serves the probes and reuses the folder on the next start")
    func freshStartAndRestart() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dataDir = folder + "/data"

        let first = try ArbiterProcess(["serve", "--port", "0", "--data-dir", dataDir])
        let url = try await first.waitUntilServing()
        #expect(try await httpGet(url + "/healthz").status == 200)
        #expect(try await httpGet(url + "/readyz").status == 200)
        let missing = try await httpGet(url + "/no/such/route")
        #expect(missing.status == 404)
        #expect(missing.headers["Content-Type"].first == "application/problem+json")
        #expect(try await httpGet(url + "/api/v1/version").status == 401)
        let instance = try loggedInstanceID(first.standardOutput)
        let stopping = ContinuousClock.now
        first.send(SIGTERM)
        #expect(try await first.waitForExit() == 0)
        // Idle, it stops at once; nothing (a sleeping background job, say) may sit out the 30-second shutdown limit.
        #expect(ContinuousClock.now - stopping < .seconds(10))

        // The folder and the database file are private to the user running Arbiter.
        let folderMode = try FileManager.default.attributesOfItem(atPath: dataDir)[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: dataDir + "/arbiter.sqlite")[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        #expect(fileMode == 0o600)
        // Logs are JSON lines carrying request ids.
        let requestLines = first.standardOutput.split(separator: "\n").filter { $0.contains(#""msg":"request""#) }
        #expect(requestLines.count == 4)
        for line in requestLines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect((object?["request_id"] as? String)?.isEmpty == false)
        }

        let second = try ArbiterProcess(["serve", "--port", "0"], environment: ["ARBITER_DATA_DIR": dataDir])
        _ = try await second.waitUntilServing()
        #expect(try loggedInstanceID(second.standardOutput) == instance)
        #expect(!second.standardOutput.contains("applied migration"))
        second.send(SIGINT)
        #expect(try await second.waitForExit() == 0)
    }

    @Test("SIGTERM during a burst of requests: every answered request succeeded and the exit status is 0")
    func sigtermUnderLoad() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder, "--log-level", "warning"])
        let url = try await server.waitUntilServing()
        let answered = LockedCounter()
        let statuses = try await withThrowingTaskGroup(of: UInt?.self) { group in
            for index in 0..<200 {
                group.addTask {
                    if index == 40 {
                        // Generous: on a busy machine the first answers can take a while.
                        let deadline = ContinuousClock.now + .seconds(60)
                        while answered.value < 20, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
                        server.send(SIGTERM)
                    }
                    do {
                        // A short deadline: the client keeps retrying refused connections until it expires.
                        let status = try await httpGet(url + "/readyz", timeout: .seconds(3)).status
                        answered.increment()
                        return status
                    } catch {
                        // Refused after the listener closed, or sent on a keep-alive connection the server was
                        // closing (RFC 9112 9.3.1): either way never accepted, so never in flight.
                        return nil
                    }
                }
            }
            return try await group.reduce(into: [UInt?]()) { $0.append($1) }
        }
        #expect(try await server.waitForExit() == 0)
        let answers = statuses.compactMap { $0 }
        #expect(answers.count >= 20)
        #expect(answers.allSatisfy { $0 == 200 }, "answered statuses: \(Set(answers))")
    }

    @Test("invalid configuration lists every problem and exits 2")
    func invalidConfiguration() async throws {
        let result = try await ArbiterProcess.run(
            ["serve", "--port", "99999", "--log-level", "chatty"],
            environment: ["ARBITER_DATABASE_URL": "mysql://root:topsecret@db/x", "ARBITER_AUTO_MIGRATE": "maybe"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("4 problems"))
        for expected in ["--port", "--log-level", "ARBITER_DATABASE_URL", "ARBITER_AUTO_MIGRATE"] {
            #expect(result.stderr.contains(expected))
        }
        #expect(!result.stderr.contains("topsecret"))
    }

    @Test("a port already in use is reported plainly")
    func portInUse() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder + "/a"])
        let url = try await first.waitUntilServing()
        let port = String(url.split(separator: ":").last!)
        let second = try await ArbiterProcess.run(["serve", "--port", port, "--data-dir", folder + "/b"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("already in use"))
        first.send(SIGTERM)
        #expect(try await first.waitForExit() == 0)
    }

    @Test("a migration changed after it was applied stops the start with a clear message")
    func changedMigrationStopsStart() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try await ArbiterProcess.run(["migrate", "up", "--data-dir", folder]).status == 0)
        // Simulate an edited migration by changing the checksum the database recorded.
        let store = try await SQLiteStore.open(path: folder + "/arbiter.sqlite", logger: testLogger())
        try await store.transaction { executor in
            try await executor.query("UPDATE schema_migrations SET checksum = \("0000000000000000") WHERE version = 1")
        }
        await store.close()

        let result = try await ArbiterProcess.run(["serve", "--port", "0", "--data-dir", folder])
        #expect(result.status == 1)
        #expect(result.stderr.contains("migration 1 (create_instance) was changed after it was applied"))
        let status = try await ArbiterProcess.run(["migrate", "status", "--data-dir", folder])
        #expect(status.status == 1)
        #expect(status.stdout.contains("CHANGED"))
    }

    @Test("migrate status and up report and apply pending migrations; serve can leave them to the operator")
    func migrateCommands() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let before = try await ArbiterProcess.run(["migrate", "status", "--data-dir", folder])
        #expect(before.status == 3)
        #expect(before.stdout.contains("pending  create_instance"))

        let server = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder, "--no-auto-migrate"])
        let url = try await server.waitUntilServing()
        let notReady = try await httpGet(url + "/readyz")
        #expect(notReady.status == 503)
        #expect(notReady.body.contains("migrations pending"))

        let up = try await ArbiterProcess.run(["migrate", "up", "--data-dir", folder])
        #expect(up.status == 0)
        #expect(up.stdout.contains("applied 1 create_instance"))
        // The running server notices without a restart (readiness is shared for a second).
        var ready = false
        for _ in 0..<30 where !ready {
            ready = try await httpGet(url + "/readyz").status == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready)
        server.send(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        let after = try await ArbiterProcess.run(["migrate", "status", "--data-dir", folder])
        #expect(after.status == 0)
        #expect(after.stdout.contains("applied  create_instance"))
        #expect(try await ArbiterProcess.run(["migrate", "up", "--data-dir", folder]).stdout.contains("nothing to apply"))
    }

    // A process crash, not a power cut: SIGKILL keeps the kernel's page cache, so this checks that an acknowledged
    // commit is in the database file (or its WAL) rather than in the process; `synchronous=FULL`, which covers
    // power loss, is checked by the SQLite store tests.
    @Test("an acknowledged write survives SIGKILL: the identity logged as created is the one found after a restart")
    func acknowledgedWriteSurvivesKill() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder])
        // "database ready" is logged after the transaction creating the identity committed: the acknowledgement.
        let logged = try loggedInstanceID(try await first.waitForOutput(containing: #""msg":"database ready""#))
        first.send(SIGKILL)
        #expect(try await first.waitForExit() == SIGKILL)

        let second = try ArbiterProcess(["serve", "--port", "0", "--data-dir", folder])
        _ = try await second.waitUntilServing()
        #expect(try loggedInstanceID(second.standardOutput) == logged)
        second.send(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test("PostgreSQL that rejects the settings stops the start at once, saying why",
        .enabled(if: TestBackend.postgresURL != nil || TestBackend.isCI))
    func postgresRejects() async throws {
        let url = try #require(TestBackend.postgresURL, "ARBITER_TEST_DATABASE_URL is needed (scripts/test sets it)")
        let wrongUser = url.replacingOccurrences(of: "postgres://arbiter@", with: "postgres://intruder@")
        let start = ContinuousClock.now
        let result = try await ArbiterProcess.run(["serve", "--port", "0", "--database-url", wrongUser, "--data-dir", try temporaryFolder()])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"role "intruder" does not exist"#))
        // No waiting out the start-up timeout for a mistake that waiting cannot fix.
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test("on PostgreSQL, /readyz turns 503 when the server stops and 200 when it is back, without a restart",
        .enabled(if: TestBackend.available.contains(.postgres)))
    func postgresOutageAndRecovery() async throws {
        let cluster = try temporaryFolder()
        let script = ArbiterProcess.repositoryRoot.appendingPathComponent("scripts/pg-cluster").path
        defer { _ = try? shell("'\(script)' destroy '\(cluster)'") }
        let started = try shell("'\(script)' start '\(cluster)'")
        try #require(started.status == 0, "scripts/pg-cluster could not start a cluster")
        let databaseURL = try #require(started.output.split(separator: "=", maxSplits: 1).last).trimmingCharacters(in: .whitespacesAndNewlines)

        let server = try ArbiterProcess(["serve", "--port", "0", "--data-dir", cluster + "/arbiter", "--database-url", databaseURL])
        let url = try await server.waitUntilServing()
        #expect(try await httpGet(url + "/readyz").status == 200)
        #expect(server.standardError.contains("database: PostgreSQL at"))

        try #require(try shell("'\(script)' stop '\(cluster)'").status == 0)
        // Readiness is shared for a second, so the outage shows within a second or two.
        var down = try await httpGet(url + "/readyz", timeout: .seconds(15))
        for _ in 0..<30 where down.status == 200 {
            try await Task.sleep(for: .milliseconds(100))
            down = try await httpGet(url + "/readyz", timeout: .seconds(15))
        }
        #expect(down.status == 503)
        #expect(down.headers["Content-Type"].first == "application/problem+json")
        // Public: the answer says what kind of trouble, never hosts, users or driver messages.
        #expect(down.body.contains("the database is unreachable"))
        #expect(!down.body.contains("127.0.0.1") && !down.body.contains("arbiter@") && !down.body.contains("PSQL"))
        #expect(try await httpGet(url + "/healthz").status == 200)

        try #require(try shell("'\(script)' start '\(cluster)'").status == 0)
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = (try? await httpGet(url + "/readyz").status) == 200
            if !recovered { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(recovered)
        server.send(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }
}

/// The installation id a server logged when its database became ready.
func loggedInstanceID(_ output: String) throws -> String {
    let line = try #require(output.split(separator: "\n").first { $0.contains(#""msg":"database ready""#) })
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    return try #require(object["instance_id"] as? String)
}

/// A counter shared by concurrent tasks.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
