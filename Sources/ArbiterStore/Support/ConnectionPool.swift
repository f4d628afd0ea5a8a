/// A fixed set of connections lent out one caller at a time, with waiting callers served first come, first served.
///
/// Used for the SQLite writer (one connection) and readers (several). Cancelled waiters leave the queue.
actor ConnectionPool<Connection: Sendable> {
    private var idle: [Connection]
    private var leased = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Connection, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var isClosed = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    init(connections: [Connection]) {
        self.idle = connections
    }

    /// Runs `body` with a connection, returning the connection to the pool afterwards.
    nonisolated func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    private func acquire() async throws -> Connection {
        if isClosed { throw StoreError(.unavailable, "the database is closed") }
        if let connection = idle.popLast() {
            leased += 1
            return connection
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private func release(_ connection: Connection) {
        if !waiters.isEmpty {
            // The connection goes straight to the next waiter; it stays leased.
            waiters.removeFirst().continuation.resume(returning: connection)
            return
        }
        leased -= 1
        idle.append(connection)
        if isClosed, leased == 0 {
            drainWaiters.forEach { $0.resume() }
            drainWaiters.removeAll()
        }
    }

    /// Refuses new callers, waits for every lent connection to come back, and returns all connections.
    ///
    /// Safe to call more than once: later calls wait too, and get the connections not yet handed out.
    func close() async -> [Connection] {
        isClosed = true
        for waiter in waiters {
            waiter.continuation.resume(throwing: StoreError(.unavailable, "the database is closing"))
        }
        waiters.removeAll()
        if leased > 0 {
            await withCheckedContinuation { drainWaiters.append($0) }
        }
        let all = idle
        idle.removeAll()
        return all
    }
}
