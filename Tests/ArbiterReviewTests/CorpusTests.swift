@testable import ArbiterReview
import Foundation
import Testing

/// The labelled corpus in `Corpus/`: every line marked `arbiter-expect: RULE-ID` must produce that finding, and no
/// other line may produce any. Precision and recall per category must stay above floors set from measurement.
@Suite("Built-in rules and the labelled corpus")
struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    struct Key: Hashable, Comparable {
        let path: String
        let line: Int
        let rule: String
        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.path, lhs.line, lhs.rule) < (rhs.path, rhs.line, rhs.rule) }
    }

    static func evaluate() async throws -> (expected: Set<Key>, actual: Set<Key>, rules: [String: Rule]) {
        let reviewer = try Reviewer()
        let collector = try FileCollector(configuration: ReviewConfiguration())
        let candidates = try collector.collect([corpus.path])
        var expected = Set<Key>()
        let marker = try NSRegularExpression(pattern: #"arbiter-expect:\s*([A-Za-z0-9_.-]+(?:\s*,\s*[A-Za-z0-9_.-]+)*)"#)
        for candidate in candidates {
            let text = try String(contentsOf: candidate.url, encoding: .utf8)
            for (index, line) in text.components(separatedBy: "\n").enumerated() {
                let range = NSRange(location: 0, length: line.utf16.count)
                guard let match = marker.firstMatch(in: line, range: range), let ids = Range(match.range(at: 1), in: line) else { continue }
                for id in line[ids].split(separator: ",") {
                    expected.insert(Key(path: candidate.path, line: index + 1, rule: id.trimmingCharacters(in: .whitespaces)))
                }
            }
        }
        let report = await reviewer.review(candidates, collector: collector, jobs: 2)
        let actual = Set(report.findings.map { Key(path: $0.path, line: $0.line, rule: $0.ruleID) })
        return (expected, actual, Dictionary(uniqueKeysWithValues: reviewer.analyzer.rules.map { ($0.id, $0) }))
    }

    @Test("at least 100 rules over at least 8 languages, each with an id, a fix, and CWE ids on security rules")
    func ruleSet() throws {
        let rules = try RuleSet.load()
        #expect(rules.count >= 100)
        #expect(Set(rules.map(\.id)).count == rules.count)
        let families: [Language: Language] = [.typescript: .javascript, .cpp: .c]
        let covered = Set(rules.flatMap { rule in (rule.languages ?? []).map { families[$0] ?? $0 } })
        #expect(covered.count >= 8, "languages covered: \(covered.map(\.rawValue).sorted())")
        for rule in rules {
            #expect(rule.definition.fix?.isEmpty == false, "\(rule.id) has no fix")
            if rule.definition.category == .security { #expect(rule.definition.cwe != nil, "\(rule.id) has no CWE") }
        }
    }

    @Test("precision and recall per category stay above their floors, and every rule has a vulnerable example")
    func precisionAndRecall() async throws {
        let (expected, actual, rules) = try await Self.evaluate()
        let unknown = expected.filter { rules[$0.rule] == nil }
        #expect(unknown.count == 0, "markers name rules that do not exist: \(unknown.sorted().prefix(10).map(\.rule))")
        let untested = Set(rules.keys).subtracting(expected.map(\.rule)).sorted()
        #expect(untested.count == 0, "rules without a vulnerable example in the corpus: \(untested)")

        // Floors per category: precision, recall (measured on this corpus; see docs/review.md).
        let floors: [ArbiterReview.Category: (precision: Double, recall: Double)] = [
            .security: (0.95, 0.95), .bug: (0.9, 0.9), .performance: (0.85, 0.85), .quality: (0.85, 0.85),
        ]
        var table = "category      TP   FP   FN  precision  recall\n"
        for category in ArbiterReview.Category.allCases {
            let inCategory: (Key) -> Bool = { rules[$0.rule]?.definition.category == category }
            let want = expected.filter(inCategory)
            let got = actual.filter(inCategory)
            guard !want.isEmpty || !got.isEmpty else { continue }
            let truePositives = want.intersection(got).count
            let precision = got.isEmpty ? 1 : Double(truePositives) / Double(got.count)
            let recall = want.isEmpty ? 1 : Double(truePositives) / Double(want.count)
            table += category.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
            table += String(
                format: " %4d %4d %4d  %9.3f  %6.3f\n", truePositives, got.count - truePositives, want.count - truePositives, precision, recall)
            if let floor = floors[category] {
                #expect(precision >= floor.precision, "\(category) precision \(precision) under \(floor.precision)")
                #expect(recall >= floor.recall, "\(category) recall \(recall) under \(floor.recall)")
            }
        }
        print(table)
        let falsePositives = actual.subtracting(expected).sorted().prefix(15).map { "\($0.path):\($0.line) \($0.rule)" }
        let falseNegatives = expected.subtracting(actual).sorted().prefix(15).map { "\($0.path):\($0.line) \($0.rule)" }
        if !falsePositives.isEmpty { print("false positives:\n  " + falsePositives.joined(separator: "\n  ")) }
        if !falseNegatives.isEmpty { print("missed:\n  " + falseNegatives.joined(separator: "\n  ")) }
    }
}
