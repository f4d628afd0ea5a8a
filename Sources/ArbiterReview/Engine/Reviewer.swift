import Foundation

/// Runs the analyzer over files, snippets or a diff under one configuration, and sums up the result.
public struct Reviewer: Sendable {
    public let analyzer: Analyzer
    public let configuration: ReviewConfiguration

    public init(analyzer: Analyzer, configuration: ReviewConfiguration = ReviewConfiguration()) {
        self.analyzer = analyzer
        self.configuration = configuration
    }

    /// A reviewer with the built-in rules plus the configuration's extra rule files.
    public init(configuration: ReviewConfiguration = ReviewConfiguration()) throws(RuleError) {
        let rules = try RuleSet.load(extraFiles: configuration.ruleFiles)
        self.init(analyzer: Analyzer(rules: rules, version: RuleSet.version(of: rules)), configuration: configuration)
    }

    /// The findings in one source that the configuration keeps, in report order.
    public func findings(in source: Analyzer.Source) -> [Finding] {
        analyzer.analyze(source, disabled: configuration.disabledRules)
            .filter { $0.severity >= configuration.minimumSeverity }
    }

    /// The sources to analyze for a diff: each hunk of each changed file in a language the analyzer reads, with
    /// only its added lines reported. `language` overrides detection from the file name.
    public static func sources(from diff: UnifiedDiff, language: Language? = nil) -> [Analyzer.Source] {
        diff.files.filter { !$0.deleted }.flatMap { file -> [Analyzer.Source] in
            guard let language = language ?? Language.detect(path: file.path) else { return [] }
            return file.hunks.filter { !$0.addedLines.isEmpty }.map { hunk in
                Analyzer.Source(
                    path: file.path, text: hunk.lines.joined(separator: "\n"), language: language, firstLine: hunk.newStart,
                    reportedLines: Set(hunk.addedLines))
            }
        }
    }

    /// Reviews files from disk, `jobs` at a time. `reportedLines` limits a file's findings to those lines (a git
    /// range's changes); files it does not name are reviewed whole.
    public func review(
        _ candidates: [FileCollector.Candidate], collector: FileCollector, jobs: Int, reportedLines: [String: Set<Int>]? = nil
    ) async -> ReviewReport {
        let started = ContinuousClock.now
        struct Outcome: Sendable {
            var findings: [Finding] = []
            var skipped: FileCollector.Skipped?
            var bytes = 0
        }
        var collected: [Finding] = []
        var skipped: [FileCollector.Skipped] = []
        var bytes = 0
        var reviewed = 0
        await withTaskGroup(of: Outcome.self) { group in
            var next = 0
            func startNext() {
                guard next < candidates.count else { return }
                let candidate = candidates[next]
                next += 1
                group.addTask {
                    switch collector.read(candidate) {
                    case .failure(let skip): return Outcome(skipped: skip)
                    case .success(let text):
                        let lines = reportedLines?[candidate.path]
                        let source = Analyzer.Source(path: candidate.path, text: text, language: candidate.language, reportedLines: lines)
                        return Outcome(findings: findings(in: source), bytes: text.utf8.count)
                    }
                }
            }
            for _ in 0..<max(1, jobs) { startNext() }
            for await outcome in group {
                if let skip = outcome.skipped { skipped.append(skip) } else { reviewed += 1 }
                collected += outcome.findings
                bytes += outcome.bytes
                startNext()
            }
        }
        return ReviewReport(
            analyzerVersion: analyzer.version, findings: collected.sorted(by: Finding.reportOrder), filesReviewed: reviewed,
            skipped: skipped.sorted { $0.path < $1.path }, bytesReviewed: bytes, duration: ContinuousClock.now - started)
    }

    /// Reviews sources already in memory (snippets, a diff's hunks).
    public func review(_ sources: [Analyzer.Source]) -> ReviewReport {
        let started = ContinuousClock.now
        let found = sources.flatMap { findings(in: $0) }.sorted(by: Finding.reportOrder)
        return ReviewReport(
            analyzerVersion: analyzer.version, findings: found, filesReviewed: Set(sources.map(\.path)).count, skipped: [],
            bytesReviewed: sources.reduce(0) { $0 + $1.text.utf8.count }, duration: ContinuousClock.now - started)
    }
}

/// The outcome of a review.
public struct ReviewReport: Codable, Sendable {
    public var analyzerVersion: String
    public var findings: [Finding]
    public var summary: Summary
    public var filesReviewed: Int
    public var skipped: [FileCollector.Skipped]
    public var bytesReviewed: Int
    public var durationMilliseconds: Double

    /// Finding counts.
    public struct Summary: Codable, Sendable, Equatable {
        public var total: Int
        public var bySeverity: [String: Int]
        public var byCategory: [String: Int]

        public init(_ findings: [Finding]) {
            total = findings.count
            bySeverity = Dictionary(uniqueKeysWithValues: Severity.allCases.map { severity in (severity.rawValue, findings.count { $0.severity == severity }) })
            byCategory = Dictionary(uniqueKeysWithValues: Category.allCases.map { category in (category.rawValue, findings.count { $0.category == category }) })
        }

        enum CodingKeys: String, CodingKey {
            case total
            case bySeverity = "by_severity"
            case byCategory = "by_category"
        }
    }

    public init(
        analyzerVersion: String, findings: [Finding], filesReviewed: Int, skipped: [FileCollector.Skipped], bytesReviewed: Int,
        duration: Duration
    ) {
        self.analyzerVersion = analyzerVersion
        self.findings = findings
        summary = Summary(findings)
        self.filesReviewed = filesReviewed
        self.skipped = skipped
        self.bytesReviewed = bytesReviewed
        durationMilliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    enum CodingKeys: String, CodingKey {
        case analyzerVersion = "analyzer_version"
        case findings, summary
        case filesReviewed = "files_reviewed"
        case skipped
        case bytesReviewed = "bytes_reviewed"
        case durationMilliseconds = "duration_ms"
    }
}
