import Foundation

/// The built-in analyzer: runs rules over source text. Pure and thread-safe; one instance serves every review.
///
/// A rule is tried only on lines that contain one of its keywords (found with a byte search over the whole file), so
/// the cost grows with the text and the number of distinct keywords, not with the number of rules times lines.
public struct Analyzer: Sendable {
    public let rules: [Rule]
    /// Identifies the analyzer and its rule set: changes whenever a rule does, so cached results expire with it.
    public let version: String
    private let plans: [Language: Plan]

    /// The distinct keywords of one language's rules, each with the rules that need it.
    struct Plan: Sendable {
        struct Keyword: Sendable {
            let search: ByteSearch
            let caseInsensitive: Bool
            var rules: [Int]
        }
        var keywords: [Keyword] = []
        var needsLowercase: Bool { keywords.contains(where: \.caseInsensitive) }
    }

    public init(rules: [Rule], version: String) {
        self.rules = rules
        self.version = version
        var plans: [Language: Plan] = [:]
        for language in Language.allCases {
            var plan = Plan()
            var positions: [String: Int] = [:]
            for (index, rule) in rules.enumerated() where rule.applies(to: language) {
                for keyword in Set(rule.keywords) {
                    let key = "\(rule.caseInsensitive ? "i" : "s"):\(String(decoding: keyword, as: UTF8.self))"
                    if let position = positions[key] {
                        plan.keywords[position].rules.append(index)
                    } else {
                        positions[key] = plan.keywords.count
                        plan.keywords.append(.init(search: ByteSearch(keyword), caseInsensitive: rule.caseInsensitive, rules: [index]))
                    }
                }
            }
            plans[language] = plan
        }
        self.plans = plans
    }

    /// What to analyze: a whole file, or a stretch of one (a diff hunk) starting at `firstLine`.
    public struct Source: Sendable {
        public var path: String
        public var text: String
        public var language: Language
        /// The file's line number of the text's first line.
        public var firstLine: Int
        /// When set, only findings on these lines are reported (the added and changed lines of a diff).
        public var reportedLines: Set<Int>?

        public init(path: String, text: String, language: Language, firstLine: Int = 1, reportedLines: Set<Int>? = nil) {
            self.path = path
            self.text = text
            self.language = language
            self.firstLine = firstLine
            self.reportedLines = reportedLines
        }
    }

    /// The findings in `source`, in line order, honouring `arbiter:ignore` comments and the rules left out by
    /// `disabled`.
    public func analyze(_ source: Source, disabled: Set<String> = []) -> [Finding] {
        guard let plan = plans[source.language], !plan.keywords.isEmpty else { return [] }
        let bytes = Array(source.text.utf8)
        guard !bytes.isEmpty else { return [] }
        let lines = LineTable(bytes)
        let lowered = plan.needsLowercase ? bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } : []

        // Which rules to try on which line.
        var candidates: [Int64] = []
        let trigrams = TrigramFilter(bytes)
        for keyword in plan.keywords where trigrams.mayContain(keyword.search.needle) {
            let haystack = keyword.caseInsensitive ? lowered : bytes
            haystack.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count, let position = keyword.search.find(in: buffer, from: offset) {
                    let line = lines.line(containing: position)
                    if source.reportedLines?.contains(source.firstLine + line) ?? true {
                        for rule in keyword.rules { candidates.append(Int64(line) << 20 | Int64(rule)) }
                    }
                    offset = lines.end(of: line) + 1
                }
            }
        }
        guard !candidates.isEmpty else { return [] }
        candidates.sort()

        let regions = Lexer(language: source.language).regions(of: bytes)
        let suppressions = Suppressions(bytes: bytes, regions: regions, lines: lines)
        var findings: [Finding] = []
        var currentLine = -1
        var text = ""
        var previous: Int64 = -1
        for candidate in candidates where candidate != previous {
            previous = candidate
            let line = Int(candidate >> 20)
            let rule = rules[Int(candidate & 0xFFFFF)]
            if disabled.contains(rule.id) { continue }
            if line != currentLine {
                currentLine = line
                text = String(decoding: bytes[lines.start(of: line)..<lines.end(of: line)], as: UTF8.self)
            }
            guard let match = Self.match(rule, in: text, lineStart: lines.start(of: line), regions: regions) else { continue }
            let lineNumber = source.firstLine + line
            if suppressions.suppresses(rule.id, onLine: line) { continue }
            findings.append(
                Finding(
                    ruleID: rule.id, path: source.path, line: lineNumber, column: match.lowerBound + 1, endColumn: match.upperBound + 1,
                    severity: rule.definition.severity, category: rule.definition.category,
                    confidence: rule.definition.confidence ?? .medium, message: rule.definition.message, fix: rule.definition.fix,
                    cwe: rule.definition.cwe, owasp: rule.definition.owasp,
                    snippet: String(text.prefix(Self.snippetLength)), source: "analyzer"))
        }
        return Self.withoutDuplicates(findings)
    }

    static let snippetLength = 400

    /// The UTF-16 range of the first match of `rule` on a line that starts where the rule's scope allows, unless a
    /// not-pattern matches the line.
    static func match(_ rule: Rule, in text: String, lineStart: Int, regions: [UInt8]) -> Range<Int>? {
        let whole = NSRange(location: 0, length: text.utf16.count)
        let isASCII = text.utf8.count == whole.length
        for pattern in rule.patterns {
            var found: Range<Int>?
            pattern.enumerateMatches(in: text, options: [], range: whole) { result, _, stop in
                guard let result else { return }
                let range = result.range
                let byteOffset = isASCII ? range.location : Self.byteOffset(ofUTF16: range.location, in: text)
                let region = Region(rawValue: regions[lineStart + byteOffset]) ?? .code
                let allowed: Bool
                switch rule.scope {
                case .code: allowed = region == .code
                case .string: allowed = region == .string
                case .any: allowed = true
                }
                guard allowed, Self.passesValueChecks(rule, result, in: text) else { return }
                found = range.location..<(range.location + max(range.length, 1))
                stop.pointee = true
            }
            guard let found else { continue }
            for excluded in rule.notPatterns where excluded.firstMatch(in: text, options: [], range: whole) != nil { return nil }
            return found
        }
        return nil
    }

    /// For rules that measure a captured value: long and random enough, and not a known placeholder.
    private static func passesValueChecks(_ rule: Rule, _ result: NSTextCheckingResult, in text: String) -> Bool {
        guard let minimum = rule.definition.minEntropy else { return true }
        let captured = result.range(at: 1)
        guard captured.location != NSNotFound, let range = Range(captured, in: text) else { return false }
        let value = String(text[range])
        guard Entropy.shannon(value) >= minimum else { return false }
        let whole = NSRange(location: 0, length: value.utf16.count)
        return !rule.allowed.contains { $0.firstMatch(in: value, options: [], range: whole) != nil }
    }

    private static func byteOffset(ofUTF16 offset: Int, in text: String) -> Int {
        let index = text.utf16.index(text.utf16.startIndex, offsetBy: offset)
        return text.utf8.distance(from: text.utf8.startIndex, to: index)
    }

    /// One finding per weakness and line: when several rules report the same CWE on one line (a language's
    /// hard-coded-password rule, a key-format rule and the entropy rule on one credential), the most severe and
    /// most confident stays, a specific rule before a generic one.
    static func withoutDuplicates(_ findings: [Finding]) -> [Finding] {
        var best: [String: Int] = [:]
        func rank(_ finding: Finding) -> (Int, Int, Int) {
            let confidence = finding.confidence == .high ? 2 : finding.confidence == .medium ? 1 : 0
            return (finding.severity.rank, confidence, finding.ruleID.hasPrefix(genericPrefix) ? 0 : 1)
        }
        for (index, finding) in findings.enumerated() {
            guard let cwe = finding.cwe else { continue }
            let key = "\(finding.line):\(cwe)"
            if let current = best[key] {
                let incumbent = findings[current]
                if rank(finding) > rank(incumbent) || (rank(finding) == rank(incumbent) && finding.ruleID < incumbent.ruleID) {
                    best[key] = index
                }
            } else {
                best[key] = index
            }
        }
        return findings.enumerated().filter { index, finding in
            guard let cwe = finding.cwe else { return true }
            return best["\(finding.line):\(cwe)"] == index
        }.map(\.element)
    }

    /// Rules whose id starts with this are generic fallbacks.
    static let genericPrefix = "GENERIC-"
}
