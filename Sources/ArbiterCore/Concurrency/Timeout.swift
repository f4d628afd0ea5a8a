/// Thrown by ``withTimeout(_:operation:)`` when the operation did not finish in time.
public struct TimeoutError: Error, CustomStringConvertible {
    /// How long the operation was given.
    public let duration: Duration

    public var description: String { "operation did not finish within \(duration)" }
}

/// Runs `operation`, cancelling it and throwing ``TimeoutError`` when it takes longer than `duration`.
///
/// The operation must respond to cancellation for the timeout to return promptly.
public func withTimeout<T: Sendable>(
    _ duration: Duration,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TimeoutError(duration: duration)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
