import ArbiterCore
import ArbiterReview
import ArgumentParser
import Foundation

/// `arbiter review`: the built-in analyzer from a terminal or a CI job.
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review files, folders, a diff or a git range with the built-in analyzer (works offline).",
        discussion: """
            Folders are walked recursively; files that .gitignore ignores, binary files and files larger than \
            max-file-size are skipped. Settings come from .arbiter.yml in the current folder (or --config): \
            include/exclude globs, min-severity, disabled-rules, extra rule files. Silence one finding with a \
            comment `arbiter:ignore RULE-ID reason` on its line or the line above.

            Exit status: 0 no finding at or above --fail-on, 1 findings at or above --fail-on, 2 usage or input error.

            Examples:
              arbiter review src/
              arbiter review --git-range origin/main..HEAD
              arbiter review --changed
              git diff main | arbiter review --diff -
              arbiter review --format sarif --output arbiter.sarif .

            In a CI job (GitHub Actions), upload SARIF for code scanning:
              - run: >
                  arbiter review --format sarif --output arbiter.sarif
                  --git-range "origin/${{ github.base_ref }}..HEAD"
              - uses: github/codeql-action/upload-sarif@v3
                if: always()
                with: { sarif_file: arbiter.sarif }
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif
    }

    @Argument(help: "Files and folders to review (default: the current folder).") var paths: [String] = []
    @Option(help: "Report format: text, json or sarif.") var format: Format = .text
    @Option(help: "Write the report to this file instead of standard output.") var output: String?
    @Option(help: "Review a unified diff from this file ('-' for standard input); only added lines are reported.") var diff: String?
    @Option(help: "Review the changes of a git range (A..B, A...B, or A for A against the working tree); only changed lines are reported.")
    var gitRange: String?
    @Flag(help: "Review the working tree's uncommitted changes (staged, unstaged and untracked files).") var changed = false
    @Option(help: "Exit with status 1 when a finding has this severity or higher: critical, high, medium, low, info, or none.")
    var failOn = "high"
    @Option(help: "Leave out findings below this severity (overrides min-severity in the configuration).") var minSeverity: String?
    @Option(help: "Configuration file (default: .arbiter.yml in the current folder, when there is one).") var config: String?
    @Option(help: "Extra rule file (YAML); may be repeated.") var rules: [String] = []
    @Option(help: "Files reviewed in parallel (default: all cores).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "List the rules (built-in and extra) and exit.") var listRules = false

    func validate() throws {
        let inputs = [diff != nil, gitRange != nil, changed].filter { $0 }.count
        guard inputs <= 1 else { throw ValidationError("Use only one of --diff, --git-range and --changed.") }
        guard jobs >= 1, jobs <= 256 else { throw ValidationError("--jobs must be between 1 and 256.") }
        guard failOn == "none" || Severity(rawValue: failOn) != nil else {
            throw ValidationError("--fail-on '\(failOn)' is not one of \(Severity.choices), none.")
        }
        if let minSeverity, Severity(rawValue: minSeverity) == nil {
            throw ValidationError("--min-severity '\(minSeverity)' is not one of \(Severity.choices).")
        }
        if diff != nil, !paths.isEmpty { throw ValidationError("--diff reviews the diff only; leave out the paths.") }
    }

    func run() async throws {
        do {
            try await review()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func review() async throws {
        var configuration = try loadConfiguration()
        configuration.ruleFiles += rules.map { URL(fileURLWithPath: $0) }
        if let minSeverity, let severity = Severity(rawValue: minSeverity) { configuration.minimumSeverity = severity }
        let reviewer = try Reviewer(configuration: configuration)
        if listRules {
            for rule in reviewer.analyzer.rules.sorted(by: { $0.id < $1.id }) {
                let definition = rule.definition
                print("\(definition.id)\t\(definition.severity.rawValue)\t\(definition.category.rawValue)\t\(definition.languages.joined(separator: ","))\t\(definition.message)")
            }
            print("\(reviewer.analyzer.rules.count) rules, analyzer \(reviewer.analyzer.version)")
            return
        }
        let report: ReviewReport
        if let diff {
            let text = try diff == "-" ? readStandardInput() : String(contentsOfFile: diff, encoding: .utf8)
            report = reviewer.review(Reviewer.sources(from: try UnifiedDiff(parsing: text)))
        } else if gitRange != nil || changed {
            report = try await reviewGitChanges(reviewer)
        } else {
            let collector = try FileCollector(configuration: configuration)
            let candidates = try collector.collect(paths.isEmpty ? ["."] : paths)
            report = await reviewer.review(candidates, collector: collector, jobs: jobs)
        }
        try write(report, rules: reviewer.analyzer.rules)
        if let threshold = Severity(rawValue: failOn), report.findings.contains(where: { $0.severity >= threshold }) {
            throw ExitCode(1)
        }
    }

    private func loadConfiguration() throws -> ReviewConfiguration {
        if let config { return try ReviewConfiguration.load(from: URL(fileURLWithPath: config)) }
        let local = URL(fileURLWithPath: ReviewConfiguration.fileName)
        guard FileManager.default.fileExists(atPath: local.path) else { return ReviewConfiguration() }
        return try ReviewConfiguration.load(from: local)
    }

    private func write(_ report: ReviewReport, rules: [Rule]) throws {
        let data: Data
        switch format {
        case .text:
            let colour = output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                && ProcessInfo.processInfo.environment["TERM"] != "dumb"
            data = Data(TextReport.render(report, colour: colour).utf8)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(report) + Data("\n".utf8)
        case .sarif:
            data = try SARIFReport.encode(report, rules: rules, toolVersion: ArbiterVersion.current) + Data("\n".utf8)
        }
        if let output {
            try Self.write(data, to: output)
        } else {
            FileHandle.standardOutput.write(data)
        }
    }

    /// Writes a report file: a regular file is replaced atomically (readers never see half a report); anything
    /// else that exists (`/dev/null`, a pipe) is written in place, never replaced.
    static func write(_ data: Data, to path: String) throws {
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            return
        }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func readStandardInput() throws -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
}
