import ArbiterAI
import ArbiterFakeProvider
import ArbiterReview
import Foundation
import Testing

/// From sources to findings: prompts that fit, answers parsed defensively, findings merged with the analyzer's.
@Suite("Model reviewer")
struct ModelReviewerTests {
    static let source = Analyzer.Source(
        path: "app/db.py", text: "import sqlite3\n\ndef find(name):\n    return db.execute(\"SELECT * FROM t WHERE n = '\" + name + \"'\")\n",
        language: .python)

    static let answer = #"""
        ```json
        {"findings": [
          {"path": "app/db.py", "line": 4, "severity": "critical", "category": "security", "title": "SQL injection",
           "message": "name is concatenated into SQL", "fix": "use a parameter", "cwe": "89", "confidence": "high"},
          {"path": "app/db.py", "line": 99, "severity": "high", "category": "bug", "title": "out of range", "message": "x"},
          {"path": "other.py", "line": 1, "severity": "high", "category": "bug", "title": "unknown file", "message": "x"},
          {"path": "app/db.py", "line": 1, "severity": "warning", "category": "style", "title": "unused import", "message": "sqlite3 is unused"}
        ]}
        ```
        """#

    @Test("model findings keep the source line, name their model, and bad ones are dropped and counted")
    func findings() async throws {
        try await FakeModelServer.run { fake in
            let gateway = ModelGateway()
            fake.setDefault(.answer(Self.answer))
            let tier = GatewayTests.tier(fake, model: "reviewer-1")
            let configuration = ReviewerConfiguration(tiers: [tier.tier], streaming: false)
            let result = try await ModelReviewer(gateway: gateway).review(
                [Self.source], configuration: configuration, tiers: [tier], scope: "org", paidAllowed: true)
            #expect(result.prompts == 1)
            #expect(result.answered == 1)
            #expect(result.dropped == 2)
            #expect(result.findings.count == 2)
            let injection = try #require(result.findings.first { $0.line == 4 })
            #expect(injection.source == "ai:fake/reviewer-1")
            #expect(injection.severity == .critical)
            #expect(injection.cwe == "CWE-89")
            #expect(injection.snippet.contains("db.execute"))
            let style = try #require(result.findings.first { $0.line == 1 })
            #expect(style.severity == .medium)
            #expect(style.category == .quality)
            // The prompt showed numbered lines.
            #expect(fake.requests.first?.body.contains("4 | ") == true)
            await gateway.shutdown()
        }
    }

    @Test("a cut-off answer keeps its complete findings; garbage gives none and no error")
    func defensiveParsing() async throws {
        try await FakeModelServer.run { fake in
            let gateway = ModelGateway()
            let cut = String(Self.answer.prefix(upTo: Self.answer.range(of: "\"out of range\"")!.lowerBound))
            fake.script([.answer(cut), .answer("I could not review this, sorry.")])
            let tier = GatewayTests.tier(fake, model: "m")
            let configuration = ReviewerConfiguration(tiers: [tier.tier], streaming: false)
            let reviewer = ModelReviewer(gateway: gateway)
            let partial = try await reviewer.review([Self.source], configuration: configuration, tiers: [tier], scope: "a", paidAllowed: true)
            #expect(partial.findings.map(\.line) == [4])
            #expect(partial.repaired == 1)
            let none = try await reviewer.review([Self.source], configuration: configuration, tiers: [tier], scope: "b", paidAllowed: true)
            #expect(none.findings.isEmpty)
            #expect(none.answered == 1)
            await gateway.shutdown()
        }
    }

    @Test("sources larger than the window are split into prompts that each fit; a line that can never fit is refused")
    func splitting() async throws {
        try await FakeModelServer.run { fake in
            let gateway = ModelGateway()
            fake.setDefault(.answer(#"{"findings":[]}"#, latency: .milliseconds(100)))
            let tier = GatewayTests.tier(fake, model: "small", window: 2_048)
            let big = (1...400).map { "value_\($0) = compute(\($0))" }.joined(separator: "\n")
            let configuration = ReviewerConfiguration(tiers: [tier.tier], streaming: false)
            let result = try await ModelReviewer(gateway: gateway).review(
                [Analyzer.Source(path: "big.py", text: big, language: .python)], configuration: configuration, tiers: [tier], scope: "s",
                paidAllowed: true)
            #expect(result.prompts > 1)
            #expect(result.answered == result.prompts)
            #expect(fake.requestCount == result.prompts)
            #expect(result.attempts.allSatisfy { $0.outcome == .answered })
            // Prompts of one review go out side by side, not one after another.
            #expect(fake.maxInFlight > 1)

            let huge = Analyzer.Source(path: "min.js", text: String(repeating: "a", count: 40_000), language: .javascript)
            #expect(throws: ModelReviewer.CannotFit.self) {
                _ = try ModelReviewer.prompts([huge], tiers: [tier], template: .current)
            }
            await gateway.shutdown()
        }
    }

    @Test("merging keeps the analyzer's finding where a model reports the same kind of problem on the same line")
    func merge() {
        func finding(_ line: Int, _ category: ArbiterReview.Category, _ source: String) -> Finding {
            Finding(
                ruleID: "R", path: "a.py", line: line, column: 1, endColumn: 2, severity: .high, category: category, confidence: .high, message: "m",
                fix: nil, cwe: nil, owasp: nil, snippet: "", source: source)
        }
        let merged = ModelReviewer.merge(
            analyzer: [finding(3, .security, "analyzer")],
            models: [finding(3, .security, "ai:x/y"), finding(3, .bug, "ai:x/y"), finding(1, .security, "ai:x/y")])
        #expect(merged.map(\.line) == [1, 3, 3])
        #expect(merged.filter { $0.line == 3 && $0.category == .security }.map(\.source) == ["analyzer"])
    }

    @Test("an answer with too many findings keeps the first 200 and counts the rest as dropped")
    func findingCap() async throws {
        try await FakeModelServer.run { fake in
            let gateway = ModelGateway()
            let items = (1...260).map { _ in #"{"path":"app/db.py","line":4,"severity":"low","category":"quality","title":"t","message":"m"}"# }
            fake.setDefault(.answer(#"{"findings":[\#(items.joined(separator: ","))]}"#))
            let tier = GatewayTests.tier(fake, model: "chatty")
            let result = try await ModelReviewer(gateway: gateway).review(
                [Self.source], configuration: ReviewerConfiguration(tiers: [tier.tier], streaming: false), tiers: [tier], scope: "s", paidAllowed: true)
            #expect(result.findings.count == 200)
            #expect(result.dropped == 60)
            await gateway.shutdown()
        }
    }
}
