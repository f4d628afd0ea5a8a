@testable import ArbiterReview
import Foundation
import Testing

@Suite("Analyzer")
struct AnalyzerTests {
    static let rules = """
        rules:
          - id: T-EVAL-001
            languages: [python, javascript]
            category: security
            severity: high
            message: "eval of a variable"
            fix: "do not"
            keywords: [eval]
            patterns: ['\\beval\\s*\\(\\s*[a-z_]']
            not-patterns: ['eval\\(\\s*safe_']
          - id: T-URL-001
            languages: ["*"]
            category: security
            severity: low
            message: "plain http"
            keywords: ['http://']
            patterns: ['http://[a-z]']
            scope: string
          - id: T-TODO-001
            languages: [c]
            category: quality
            severity: info
            message: "todo"
            keywords: [todo]
            case-insensitive: true
            patterns: ['todo']
            scope: any
        """

    @Test("a pattern fires in code but not inside a comment or a string")
    func codeScope() throws {
        let analyzer = try analyzer(Self.rules)
        let text = """
            x = eval(user_input)
            # eval(user_input) in a comment
            msg = "never eval(user_input)"
            y = eval(safe_value)
            """
        #expect(findings(analyzer, text, .python).map(\.line) == [1])
        #expect(findings(analyzer, text, .python).first?.column == 5)
    }

    @Test("string scope fires only inside literals; any scope fires in comments; case-insensitive keywords")
    func otherScopes() throws {
        let analyzer = try analyzer(Self.rules)
        let text = """
            url = "http://example.com"
            // see http://example.com
            int main() { /* TODO fix */ }
            """
        let found = findings(analyzer, text, .c)
        #expect(found.map(\.ruleID) == ["T-URL-001", "T-TODO-001"])
        #expect(found.map(\.line) == [1, 3])
    }

    @Test("rules apply to their languages; TypeScript inherits JavaScript rules")
    func languages() throws {
        let analyzer = try analyzer(Self.rules)
        #expect(findings(analyzer, "eval(x)", .typescript).count == 1)
        #expect(findings(analyzer, "eval(x)", .go).isEmpty)
    }

    @Test("arbiter:ignore silences its own line when trailing, the next line when alone, and only the named rule")
    func suppressions() throws {
        let analyzer = try analyzer(Self.rules)
        let text = """
            a = eval(x)  # arbiter:ignore T-EVAL-001 input is validated above
            # arbiter:ignore T-EVAL-001, T-OTHER-002 reviewed
            b = eval(y)
            c = eval(z)
            d = eval(w)  # arbiter:ignore T-OTHER-002
            e = "arbiter:ignore T-EVAL-001"; f = eval(v)
            """
        #expect(findings(analyzer, text, .python).map(\.line) == [4, 5, 6])
    }

    @Test("only reported lines produce findings, numbered from the source's first line")
    func reportedLines() throws {
        let analyzer = try analyzer(Self.rules)
        let source = Analyzer.Source(path: "p.py", text: "eval(a)\neval(b)\neval(c)", language: .python, firstLine: 40, reportedLines: [41])
        #expect(analyzer.analyze(source).map(\.line) == [41])
    }

    @Test("columns count UTF-16 units before the match, after non-ASCII text")
    func unicodeColumns() throws {
        let analyzer = try analyzer(Self.rules)
        let found = findings(analyzer, "é = '😀'; z = eval(q)", .python)
        #expect(found.first?.column == 15)
    }

    @Test("disabled rules are skipped")
    func disabled() throws {
        let analyzer = try analyzer(Self.rules)
        #expect(analyzer.analyze(.init(path: "a.py", text: "eval(x)", language: .python), disabled: ["T-EVAL-001"]).isEmpty)
    }

    @Test("the entropy rule flags random-looking secrets but lets placeholders, variables and low-entropy text through")
    func entropy() throws {
        // The entropy rule alone: in the full set, a language's own secret rule may win the same line.
        let analyzer = Analyzer(rules: try RuleSet.load().filter { $0.id == "GENERIC-SECRET-001" }, version: "test")
        func flagged(_ line: String) -> Bool {
            analyzer.analyze(.init(path: "c.py", text: line, language: .python)).contains { $0.ruleID == "GENERIC-SECRET-001" }
        }
        #expect(flagged(#"client_secret = "Zx9Qw2Lm8Rt4Vb6Np1Ks7Hd3Jf5Gc0Ty""#))
        #expect(!flagged(#"client_secret = "your-client-secret-goes-here""#))
        #expect(!flagged(#"api_key = "EXAMPLEKEY1234567890EXAMPLE""#))
        #expect(!flagged(#"token = "aaaaaaaaaaaaaaaaaaaaaaaaaaaa""#))
        #expect(!flagged(#"password = os.environ["DB_PASSWORD"]"#))
    }

    @Test("invalid rules are refused with the rule and the reason")
    func invalidRules() throws {
        func reason(_ yaml: String) -> String? {
            do {
                _ = try RuleSet.parse(yaml, origin: "x.yml").map { try Rule($0, origin: "x.yml") }
                return nil
            } catch { return "\(error)" }
        }
        let base = "rules:\n  - id: X-1\n    languages: [python]\n    category: bug\n    severity: low\n    message: m\n"
        #expect(reason(base + "    keywords: [a]\n    patterns: ['(']\n")?.contains("not a valid regular expression") == true)
        #expect(reason(base + "    keywords: []\n    patterns: ['a']\n")?.contains("keywords") == true)
        #expect(reason(base.replacingOccurrences(of: "[python]", with: "[cobol]") + "    keywords: [a]\n    patterns: ['a']\n")?.contains("unknown language 'cobol'") == true)
        #expect(reason(base.replacingOccurrences(of: "severity: low", with: "severity: dire") + "    keywords: [a]\n    patterns: ['a']\n")?.contains("x.yml") == true)
    }
}
