import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The built `arbiter` binary running as a child process, with its output captured.
public final class ArbiterProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()
    private var openPipes = 2

    /// Path of the `arbiter` executable built next to the test bundle, or `ARBITER_BINARY` when set.
    public static var binaryPath: String {
        if let explicit = ProcessInfo.processInfo.environment["ARBITER_BINARY"], !explicit.isEmpty { return explicit }
        let testBundle = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = testBundle.deletingLastPathComponent()
        // On Linux the test bundle is a file in the build folder; on macOS it is a folder bundle deeper down.
        while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("arbiter").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("arbiter").path
    }

    /// The repository's root folder, for its scripts.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts `arbiter` with `arguments`; the environment is the test's own without `ARBITER_*`, plus `environment`.
    public init(_ arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ARBITER_") }
        inherited.merge(environment) { _, new in new }
        process.environment = inherited
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        let out = Pipe()
        let err = Pipe()
        // Close-on-exec, so children started by other tests at the same time do not inherit these pipes and keep
        // them open (the spawned child still gets its own ends as stdout and stderr).
        for handle in [out.fileHandleForReading, out.fileHandleForWriting, err.fileHandleForReading, err.fileHandleForWriting] {
            _ = fcntl(handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        let input = Pipe()
        _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(input.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.received(handle.availableData, from: handle, isError: false)
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.received(handle.availableData, from: handle, isError: true)
        }
        try process.run()
    }

    private func received(_ data: Data, from handle: FileHandle, isError: Bool) {
        lock.withLock {
            if data.isEmpty {
                // End of file: the process and everything it started have closed this pipe.
                handle.readabilityHandler = nil
                openPipes -= 1
            } else if isError {
                stderrData.append(data)
            } else {
                stdoutData.append(data)
            }
        }
    }

    /// Writes `text` to the process's standard input and closes it.
    public func write(_ text: String) throws {
        guard let input = process.standardInput as? Pipe else { throw ProcessFailure(description: "standard input is not a pipe") }
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
    }

    /// Waits until standard output contains `text`, and returns everything written so far.
    public func waitForOutput(containing text: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let output = standardOutput
            if output.contains(text) { return output }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure(description: "arbiter did not write \(text) within \(timeout):\n\(standardOutput)\n\(standardError)")
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    public var standardOutput: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    public var standardError: String { lock.withLock { String(decoding: stderrData, as: UTF8.self) } }
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Waits until the server prints the URL it serves, and returns it.
    public func waitUntilServing(timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let range = standardError.range(of: #"is serving (http://[^ ]+)"#, options: .regularExpression) {
                let line = standardError[range]
                return String(line.dropFirst("is serving ".count))
            }
            if !process.isRunning {
                throw ProcessFailure(description: "arbiter exited with \(process.terminationStatus) before serving:\n\(standardError)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessFailure(description: "arbiter did not start serving within \(timeout):\n\(standardError)")
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its exit status.
    public func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                send(SIGKILL)
                throw ProcessFailure(description: "arbiter did not exit within \(timeout):\n\(standardError)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Read what the process wrote last: wait for end of file on both pipes (bounded, in case a process the
        // child started still holds them).
        let drainDeadline = ContinuousClock.now + .seconds(5)
        while lock.withLock({ openPipes > 0 }), ContinuousClock.now < drainDeadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Runs `arbiter` with `arguments` to completion and returns its exit status and output.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil, input: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ArbiterProcess(arguments, environment: environment, workingDirectory: workingDirectory)
        if let input { try child.write(input) }
        let status = try await child.waitForExit(timeout: timeout)
        return (status, child.standardOutput, child.standardError)
    }
}

/// A child process did not behave as the test needed.
public struct ProcessFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Runs a shell command to completion and returns its status and standard output.
@discardableResult
public func shell(_ command: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
