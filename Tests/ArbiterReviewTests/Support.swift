@testable import ArbiterReview
import Foundation

/// An analyzer with the given rules only (YAML), for focused tests.
func analyzer(_ yaml: String) throws -> Analyzer {
    let rules = try RuleSet.parse(yaml, origin: "test").map { try Rule($0, origin: "test") }
    return Analyzer(rules: rules, version: "test")
}

func findings(_ analyzer: Analyzer, _ text: String, _ language: Language, path: String = "t", lines: Set<Int>? = nil) -> [Finding] {
    analyzer.analyze(Analyzer.Source(path: path, text: text, language: language, reportedLines: lines))
}

/// A fresh temporary folder, removed afterwards.
func withTemporaryFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("arbiter-review-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

func write(_ text: String, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
}
