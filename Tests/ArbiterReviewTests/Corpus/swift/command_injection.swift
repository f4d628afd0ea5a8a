import Foundation
import SwiftUI

enum ShellError: Error {
    case failed(Int32)
}

struct ArchiveTool {
    // Vulnerable: the file name is spliced into a shell command line.
    func compress(fileName: String) throws {
        let task = Process()
        task.launchPath = "/bin/sh"
        task.arguments = ["-c", "tar czf backup.tgz \(fileName)"]  // arbiter-expect: SWIFT-CMDI-001
        task.launch()
        task.waitUntilExit()
    }

    func runUserCommand(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]  // arbiter-expect: SWIFT-CMDI-001
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw ShellError.failed(process.terminationStatus)
        }
    }

    func grep(pattern: String, in path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", "-c", "grep " + pattern + " " + path]  // arbiter-expect: SWIFT-CMDI-001
        try process.run()
    }

    func legacyOpen(url: String) {
        let status = system("open \(url)")  // arbiter-expect: SWIFT-CMDI-002
        if status != 0 {
            print("open failed")
        }
    }

    func legacyList(directory: String) {
        let command = "ls -la " + directory
        let handle = popen(command, "r")  // arbiter-expect: SWIFT-CMDI-002
        pclose(handle)
    }

    // Safe: the program is run directly and each value is a separate argument.
    func compressSafely(fileName: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        process.arguments = ["czf", "backup.tgz", "--", fileName]
        try process.run()
        process.waitUntilExit()
    }

    func cleanCaches() {
        // A fixed shell script with no input is fine.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "rm -rf ~/Library/Caches/com.example.app"]
        try? process.run()
        _ = system("sync")
    }

    func describe() -> String {
        // Calling system("...") with input would be dangerous.
        let font = Font.system(size: 12)
        return "Use Process, not system(cmd), with \(font)"
    }
}
