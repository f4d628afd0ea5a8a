import Foundation

/// A rule as written in a rule file (`Rules/*.yml`, or a user's extra rule file).
///
/// ```yaml
/// rules:
///   - id: PY-SQLI-001
///     languages: [python]
///     category: security
///     severity: high
///     confidence: high
///     cwe: CWE-89
///     owasp: "A03:2021"
///     message: "SQL built with an f-string is passed to execute()."
///     fix: "Pass values as parameters."
///     keywords: [execute]
///     patterns: ['\.execute\s*\(\s*f[''"]']
///     not-patterns: []
///     scope: code
/// ```
public struct RuleDefinition: Codable, Sendable, Equatable {
    public var id: String
    public var languages: [String]
    public var category: Category
    public var severity: Severity
    public var confidence: Confidence?
    public var cwe: String?
    public var owasp: String?
    public var message: String
    public var fix: String?
    public var keywords: [String]
    public var patterns: [String]
    public var notPatterns: [String]?
    public var scope: Scope?
    public var caseInsensitive: Bool?
    /// When set, the pattern's first capture group must have at least this Shannon entropy (bits per character):
    /// how secret-looking strings are told from ordinary ones.
    public var minEntropy: Double?
    /// Regular expressions for captured values that are known placeholders (`changeme`, `${VAR}`, `xxxx`).
    public var allow: [String]?

    /// Where on a line a match may start.
    public enum Scope: String, Codable, Sendable {
        /// In code: not in a comment, not inside a string literal.
        case code
        /// Inside a string literal.
        case string
        /// Anywhere, comments included.
        case any
    }

    enum CodingKeys: String, CodingKey {
        case id, languages, category, severity, confidence, cwe, owasp, message, fix, keywords, patterns
        case notPatterns = "not-patterns"
        case scope
        case caseInsensitive = "case-insensitive"
        case minEntropy = "min-entropy"
        case allow
    }
}

/// A rule ready to run: its patterns compiled, its languages resolved.
public struct Rule: Sendable {
    public let definition: RuleDefinition
    /// Nil means every language.
    let languages: Set<Language>?
    let patterns: [NSRegularExpression]
    let notPatterns: [NSRegularExpression]
    let allowed: [NSRegularExpression]
    /// Keywords as bytes, lowercased when the rule ignores case.
    let keywords: [[UInt8]]

    public var id: String { definition.id }
    var scope: RuleDefinition.Scope { definition.scope ?? .code }
    var caseInsensitive: Bool { definition.caseInsensitive ?? false }

    /// Compiles a definition; the error says which field of which rule is wrong.
    public init(_ definition: RuleDefinition, origin: String) throws(RuleError) {
        func fail(_ reason: String) -> RuleError { RuleError(origin: origin, ruleID: definition.id, reason: reason) }
        guard definition.id.range(of: #"^[A-Za-z][A-Za-z0-9_.-]{1,63}$"#, options: .regularExpression) != nil else {
            throw fail("id must be 2–64 letters, digits, '.', '_' or '-', starting with a letter")
        }
        guard !definition.message.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("message is empty") }
        guard !definition.keywords.isEmpty, definition.keywords.allSatisfy({ !$0.isEmpty }) else {
            throw fail("keywords must list at least one non-empty word that every matching line contains")
        }
        guard !definition.patterns.isEmpty else { throw fail("patterns must list at least one regular expression") }
        if definition.languages.contains("*") {
            languages = nil
        } else {
            var resolved = Set<Language>()
            for name in definition.languages {
                guard let language = Language(rawValue: name) else {
                    throw fail("unknown language '\(name)'; use one of \(Language.choices) or \"*\"")
                }
                resolved.insert(language)
            }
            guard !resolved.isEmpty else { throw fail("languages is empty; list languages or \"*\"") }
            languages = resolved
        }
        let options: NSRegularExpression.Options = (definition.caseInsensitive ?? false) ? [.caseInsensitive] : []
        func compile(_ pattern: String) throws(RuleError) -> NSRegularExpression {
            do { return try NSRegularExpression(pattern: pattern, options: options) } catch {
                throw fail("pattern '\(pattern)' is not a valid regular expression")
            }
        }
        var compiled: [NSRegularExpression] = []
        for pattern in definition.patterns { compiled.append(try compile(pattern)) }
        var excluded: [NSRegularExpression] = []
        for pattern in definition.notPatterns ?? [] { excluded.append(try compile(pattern)) }
        var allowed: [NSRegularExpression] = []
        for pattern in definition.allow ?? [] { allowed.append(try compile(pattern)) }
        if definition.minEntropy != nil, compiled.contains(where: { $0.numberOfCaptureGroups == 0 }) {
            throw fail("min-entropy needs every pattern to capture the value to measure in its first group")
        }
        self.allowed = allowed
        patterns = compiled
        notPatterns = excluded
        keywords = definition.keywords.map { Array(((definition.caseInsensitive ?? false) ? $0.lowercased() : $0).utf8) }
        self.definition = definition
    }

    func applies(to language: Language) -> Bool {
        guard let languages else { return true }
        return language.ruleLanguages.contains(where: languages.contains)
    }
}

/// A rule file or rule that cannot be used, with where and why.
public struct RuleError: Error, CustomStringConvertible, Sendable {
    public let origin: String
    public let ruleID: String?
    public let reason: String

    public var description: String {
        if let ruleID { return "\(origin): rule \(ruleID): \(reason)" }
        return "\(origin): \(reason)"
    }
}
