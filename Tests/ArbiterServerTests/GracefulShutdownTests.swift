import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArbiterTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

@Suite("Graceful shutdown", .timeLimit(.minutes(3)))
struct GracefulShutdownTests {
    /// The shared HTTP client opens at most 8 connections to one host, so 8 requests are truly concurrent.
    static let inFlight = 8

    @Test("requests in flight when shutdown starts complete; then the database closes and the group exits cleanly")
    func inFlightRequestsComplete() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configurationDatabase = ArbiterConfiguration.Database.sqlite(path: folder + "/arbiter.sqlite")
        // SQLite answers before its service runs, so the schema can be prepared first.
        let store = try await StoreFactory.open(configurationDatabase, poolSize: 2, logger: testLogger())
        let dependencies = try await testDependencies(store)
        try await dependencies.migrator.migrate()
        let started = AsyncStream.makeStream(of: Void.self)
        let port = AsyncStream.makeStream(of: Int.self)
        let token: String
        do {
            let user = try await dependencies.makeUser("slow@example.com", role: .viewer)
            let session = try await dependencies.sessions.start(
                userID: user.id, organizationID: user.organizationID, tokenHash: "slow-refresh", ttl: .seconds(3600))
            token = try await dependencies.tokens.issue(for: user.member, sessionID: session)
        } catch {
            await (store as? SQLiteStore)?.close()
            throw error
        }
        let api = buildRouter(dependencies: dependencies) { api in
            api.on(probe(.get, "/test/slow")) { _, _ -> String in
                started.continuation.yield()
                try await Task.sleep(for: .milliseconds(700))
                // The database is still open while requests finish: it is shut down after the server.
                try await store.ping()
                return "done"
            }
        }
        let app = Application(
            router: api.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: testLogger())
        let group = ServiceGroup(services: [store, app], logger: testLogger())

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let serverPort = try await withTimeout(.seconds(30)) {
                var ports = port.stream.makeAsyncIterator()
                return await ports.next() ?? 0
            }
            try #require(serverPort != 0)

            let requests = Task {
                try await withThrowingTaskGroup(of: (UInt, String).self) { requests in
                    for _ in 0..<Self.inFlight {
                        requests.addTask {
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(serverPort)/test/slow")
                            request.headers.add(name: "Authorization", value: "Bearer \(token)")
                            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                            let body = try await response.body.collect(upTo: 1024)
                            return (response.status.code, String(buffer: body))
                        }
                    }
                    return try await requests.reduce(into: [(UInt, String)]()) { $0.append($1) }
                }
            }
            // Wait until every request is inside its handler, then ask for shutdown.
            var startedIterator = started.stream.makeAsyncIterator()
            for _ in 0..<Self.inFlight { await startedIterator.next() }
            await group.triggerGracefulShutdown()

            let results = try await requests.value
            #expect(results.count == Self.inFlight)
            #expect(results.allSatisfy { $0.0 == 200 && $0.1 == "done" })
            try await tasks.waitForAll()
        }
        // After shutdown the server no longer accepts connections and the database is closed.
        await #expect(throws: StoreError.self) { try await store.ping() }
    }
}
