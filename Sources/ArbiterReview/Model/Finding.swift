/// One problem the analyzer found at one place.
public struct Finding: Codable, Sendable, Hashable {
    public var ruleID: String
    public var path: String
    /// 1-based line in the file (the new file, for a diff).
    public var line: Int
    /// 1-based column, counted in UTF-16 code units as SARIF does by default.
    public var column: Int
    /// 1-based column just after the matched text.
    public var endColumn: Int
    public var severity: Severity
    public var category: Category
    public var confidence: Confidence
    public var message: String
    public var fix: String?
    public var cwe: String?
    public var owasp: String?
    /// The source line, for people reading the report.
    public var snippet: String
    /// Who produced the finding: `analyzer` for the built-in rules.
    public var source: String

    public init(
        ruleID: String, path: String, line: Int, column: Int, endColumn: Int, severity: Severity, category: Category,
        confidence: Confidence, message: String, fix: String?, cwe: String?, owasp: String?, snippet: String, source: String
    ) {
        self.ruleID = ruleID
        self.path = path
        self.line = line
        self.column = column
        self.endColumn = endColumn
        self.severity = severity
        self.category = category
        self.confidence = confidence
        self.message = message
        self.fix = fix
        self.cwe = cwe
        self.owasp = owasp
        self.snippet = snippet
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id"
        case path, line, column
        case endColumn = "end_column"
        case severity, category, confidence, message, fix, cwe, owasp, snippet, source
    }

    /// Report order: by file, line, column, then rule.
    public static func reportOrder(_ lhs: Finding, _ rhs: Finding) -> Bool {
        (lhs.path, lhs.line, lhs.column, lhs.ruleID) < (rhs.path, rhs.line, rhs.column, rhs.ruleID)
    }
}
