@testable import ArbiterReview
import Foundation
import Testing

@Suite("Reports")
struct ReportTests {
    static func sample() throws -> (ReviewReport, [Rule]) {
        let reviewer = try Reviewer()
        let report = reviewer.review([
            Analyzer.Source(path: "src/my app/keys.py", text: #"token = "Zx9Qw2Lm8Rt4Vb6Np1Ks7Hd3Jf5Gc0Ty""#, language: .python)
        ])
        return (report, reviewer.analyzer.rules)
    }

    @Test("SARIF 2.1.0: version, schema, the rules used with their metadata, results with locations")
    func sarif() throws {
        let (report, rules) = try Self.sample()
        let data = try SARIFReport.encode(report, rules: rules, toolVersion: "9.9.9")
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        #expect((log["$schema"] as? String)?.contains("sarif-2.1.0") == true)
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let described = try #require(driver["rules"] as? [[String: Any]])
        let ruleID = try #require(report.findings.first?.ruleID)
        #expect(report.findings.count == 1)
        #expect(described.map { $0["id"] as? String } == [ruleID])
        let tags = (described[0]["properties"] as? [String: Any])?["tags"] as? [String]
        #expect(tags?.contains("external/cwe/cwe-798") == true)
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        #expect(result["ruleIndex"] as? Int == 0 && result["level"] as? String == "error")
        let location = try #require(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "src/my%20app/keys.py")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 1)
    }

    @Test("text: location, severity, rule, the line with a caret under the finding; no colour codes unless asked")
    func text() throws {
        let (report, _) = try Self.sample()
        let plain = TextReport.render(report, colour: false)
        let ruleID = try #require(report.findings.first?.ruleID)
        #expect(plain.contains("src/my app/keys.py:1:1: high [\(ruleID), CWE-798]"))
        #expect(plain.contains("    ^~~~"))
        #expect(!plain.contains("\u{1B}["))
        #expect(TextReport.render(report, colour: true).contains("\u{1B}["))
        #expect(plain.hasSuffix("1 finding (1 high) in 1 file\n"))
    }
}
