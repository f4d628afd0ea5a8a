import Synchronization

/// Thrown by ``withTimeout(_:operation:)`` when the operation did not finish in time.
public struct TimeoutError: Error, CustomStringConvertible {
    /// How long the operation was given.
    public let duration: Duration

    public var description: String { "operation did not finish within \(duration)" }
}

/// Runs `operation`, throwing ``TimeoutError`` when it takes longer than `duration`.
///
/// Returns as soon as the time is up, even when the operation ignores cancellation (a driver blocked on a
/// dead socket, say): the operation is cancelled and left to finish on its own, and its result is dropped.
/// Cancelling the caller cancels the operation and throws `CancellationError`.
public func withTimeout<T: Sendable>(
    _ duration: Duration,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(
                continuation,
                Task { race.finish(await Result(catching: operation)) },
                Task {
                    guard (try? await Task.sleep(for: duration)) != nil else { return }
                    race.finish(.failure(TimeoutError(duration: duration)))
                })
            // The caller may have been cancelled before the tasks existed.
            if Task.isCancelled { race.finish(.failure(CancellationError())) }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The state shared by an operation and its timer: whoever finishes first resumes the caller.
private final class Race<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, tasks: [Task<Void, Never>], early: Result<T, any Error>?)>(
        (nil, [], nil))

    func start(_ continuation: CheckedContinuation<T, any Error>, _ tasks: Task<Void, Never>...) {
        let early = state.withLock { state -> Result<T, any Error>? in
            state.continuation = continuation
            state.tasks = tasks
            return state.early
        }
        if let early { finish(early) }
    }

    /// Resumes the caller once and cancels both tasks; later calls do nothing.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard let continuation = state.continuation else {
                // Finished before `start` stored the continuation (possible for a cancelled caller).
                if state.early == nil { state.early = result }
                return (nil, [])
            }
            state.continuation = nil
            return (continuation, state.tasks)
        }
        tasks.forEach { $0.cancel() }
        continuation?.resume(with: result)
    }
}

extension Result where Failure == any Error {
    /// Captures the outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
