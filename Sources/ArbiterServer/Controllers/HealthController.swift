import ArbiterCore
import ArbiterStore
import Hummingbird
import Logging
import Synchronization

/// Liveness and readiness probes.
public struct HealthController: Sendable {
    let database: any SQLDatabase
    let migrator: Migrator
    let readinessTimeout: Duration
    private let probe = ReadinessProbe()

    /// Body of a successful probe.
    struct Status: ResponseEncodable {
        let status: String
        let checks: [String: String]?
    }

    static let schemas: [String: JSONValue] = [
        "ProbeStatus": [
            "type": "object",
            "required": ["status"],
            "properties": [
                "status": ["type": "string", "enum": ["ok", "ready"]],
                "checks": ["type": "object", "additionalProperties": ["type": "string"]],
            ],
        ]
    ]

    private static let aliveBody = ByteBuffer(string: #"{"status":"ok"}"#)

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/healthz", operationID: "getHealth", summary: "Liveness: the process is serving requests.",
                tags: ["operations"], access: .public, rateLimiting: .exempt,
                responses: [200: .init("The process is alive.", schema: .ref("ProbeStatus"))]),
            use: { _, _ in
                // A constant answer, prepared once: liveness probes are frequent and must stay cheap.
                Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: Self.aliveBody))
            })
        api.on(
            RouteDocumentation(
                method: .get, path: "/readyz", operationID: "getReadiness",
                summary: "Readiness: the database answers and its schema is current.",
                tags: ["operations"], access: .public, rateLimiting: .exempt,
                responses: [
                    200: .init("Ready to serve traffic.", schema: .ref("ProbeStatus")),
                    503: .problem("Not ready: the database is unreachable or migrations are pending."),
                ]),
            use: { _, context in try await ready(context: context) })
    }

    private func ready(context: ArbiterRequestContext) async throws -> Status {
        let (database, migrator, timeout) = (self.database, self.migrator, readinessTimeout)
        let readiness = await probe.check {
            await StoreReadiness.check(database: database, migrator: migrator, timeout: timeout)
        }
        if let problem = readiness.problem {
            context.logger.warning(
                "not ready", metadata: ["reason": .string(readiness.internalReason ?? problem.description)])
            throw Problem(
                .serviceUnavailable, slug: "not-ready", title: "Not ready",
                detail: "Arbiter cannot serve requests yet: \(problem).", headers: [.retryAfter: "5"])
        }
        return Status(status: "ready", checks: ["database": "ok", "migrations": "current"])
    }
}

/// Shares one readiness check among every caller for a second, so a flood of `/readyz` requests (the route is
/// public and not rate-limited) costs the database one check a second.
final class ReadinessProbe: Sendable {
    static let freshness: Duration = .seconds(1)

    private struct State {
        var last: (readiness: StoreReadiness, at: ContinuousClock.Instant)?
        var running: Task<StoreReadiness, Never>?
    }

    private let state = Mutex(State())

    func check(_ perform: @escaping @Sendable () async -> StoreReadiness) async -> StoreReadiness {
        let now = ContinuousClock.now
        let task = state.withLock { state -> Task<StoreReadiness, Never>? in
            if let last = state.last, now - last.at < Self.freshness { return nil }
            if let running = state.running { return running }
            let task = Task { await perform() }
            state.running = task
            return task
        }
        guard let task else { return state.withLock { $0.last!.readiness } }
        let readiness = await task.value
        state.withLock { state in
            if state.running == task {
                state.running = nil
                state.last = (readiness, ContinuousClock.now)
            }
        }
        return readiness
    }
}
