import ArbiterReview
import ArgumentParser
import Foundation

extension ReviewCommand {
    /// A git command that failed, with what git said.
    struct GitFailure: Error, CustomStringConvertible {
        let arguments: [String]
        let message: String
        var description: String { "git \(arguments.joined(separator: " ")) failed: \(message)" }
    }

    /// Reviews what `--git-range` or `--changed` names: each changed file whole (so the lexer sees its full
    /// context), reporting only its added and changed lines. Untracked files count as wholly added for --changed.
    func reviewGitChanges(_ reviewer: Reviewer) async throws -> ReviewReport {
        let top = try git(["rev-parse", "--show-toplevel"]).trimmingCharacters(in: .whitespacesAndNewlines)
        var diffArguments = ["diff", "--no-color", "--no-ext-diff", "--unified=0", "--diff-filter=ACMR"]
        // The side whose content is reviewed: a revision, or nil for the working tree.
        var newSide: String?
        if let gitRange {
            guard !gitRange.hasPrefix("-") else { throw ValidationError("--git-range '\(gitRange)' must be a revision range such as main..HEAD.") }
            diffArguments.append(gitRange)
            if let range = gitRange.range(of: "...") ?? gitRange.range(of: "..") {
                let right = String(gitRange[range.upperBound...])
                newSide = right.isEmpty ? "HEAD" : right
            }
        } else {
            diffArguments.append("HEAD")
        }
        diffArguments.append("--")
        diffArguments += paths
        let diff = try UnifiedDiff(parsing: try git(diffArguments, in: top))
        var sources: [Analyzer.Source] = []
        for file in diff.files where !file.deleted {
            guard let language = Language.detect(path: file.path) else { continue }
            let text: String
            if let newSide {
                text = try git(["show", "\(newSide):\(file.path)"], in: top)
            } else {
                guard let contents = try? String(contentsOfFile: "\(top)/\(file.path)", encoding: .utf8) else { continue }
                text = contents
            }
            guard text.utf8.count <= reviewer.configuration.maximumFileSize else { continue }
            sources.append(Analyzer.Source(path: file.path, text: text, language: language, reportedLines: file.addedLines))
        }
        if changed {
            let untracked = try git(["ls-files", "--others", "--exclude-standard", "-z", "--"] + paths, in: top)
            for path in untracked.split(separator: "\0").map(String.init) {
                guard let language = Language.detect(path: path),
                    let text = try? String(contentsOfFile: "\(top)/\(path)", encoding: .utf8),
                    text.utf8.count <= reviewer.configuration.maximumFileSize, !text.utf8.contains(0)
                else { continue }
                sources.append(Analyzer.Source(path: path, text: text, language: language))
            }
        }
        return reviewer.review(sources)
    }

    /// Runs git and returns its standard output.
    func git(_ arguments: [String], in folder: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + (folder.map { ["-C", $0] } ?? []) + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting, so a large diff cannot fill the pipe and stall git.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GitFailure(arguments: arguments, message: String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
