import Foundation

/// A finding as a model reported it, checked and normalized.
public struct ModelFinding: Sendable, Equatable, Codable {
    public var path: String
    public var line: Int
    /// `critical`, `high`, `medium`, `low` or `info`.
    public var severity: String
    /// `security`, `bug`, `performance`, `quality` or `architecture`.
    public var category: String
    public var title: String
    public var message: String
    public var fix: String?
    /// `CWE-<n>`.
    public var cwe: String?
    /// `high`, `medium` or `low`.
    public var confidence: String

    public init(
        path: String, line: Int, severity: String, category: String, title: String, message: String, fix: String?, cwe: String?,
        confidence: String
    ) {
        self.path = path
        self.line = line
        self.severity = severity
        self.category = category
        self.title = title
        self.message = message
        self.fix = fix
        self.cwe = cwe
        self.confidence = confidence
    }
}

/// What could be used of a model's answer.
public struct ParsedAnswer: Sendable, Equatable {
    public var findings: [ModelFinding]
    /// Items that were not usable findings.
    public var dropped: Int
    /// Whether the answer was not valid JSON and findings were recovered from it.
    public var repaired: Bool

    public init(findings: [ModelFinding], dropped: Int, repaired: Bool) {
        self.findings = findings
        self.dropped = dropped
        self.repaired = repaired
    }
}

/// Reads findings out of whatever a model answered: the JSON asked for, JSON in Markdown fences or prose, a bare
/// array, trailing commas, or an answer cut off mid-way (every complete finding before the cut is kept). It never
/// throws, never recurses over the input, and gives up on nesting deeper than any real answer has.
public enum FindingParser {
    static let maximumDepth = 32
    static let maximumMessage = 2_000
    static let maximumTitle = 200

    /// `files` maps each path the model was shown to the lines it was shown.
    public static func parse(_ text: String, files: [String: ClosedRange<Int>]) -> ParsedAnswer {
        let bytes = Array(text.utf8)
        if let items = wellFormed(bytes) {
            return normalize(items, files: files, repaired: false)
        }
        let recovered = scanObjects(bytes)
        return normalize(recovered, files: files, repaired: !recovered.isEmpty)
    }

    /// The items when the answer (or its JSON part) parses as the expected object or array.
    static func wellFormed(_ bytes: [UInt8]) -> [Any]? {
        guard let start = bytes.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }) else { return nil }
        let close: UInt8 = bytes[start] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        guard let end = bytes.lastIndex(of: close), end > start else { return nil }
        let candidate = Array(bytes[start...end])
        guard maxDepth(candidate) <= maximumDepth else { return nil }
        for attempt in [candidate, withoutTrailingCommas(candidate)] {
            guard let value = try? JSONSerialization.jsonObject(with: Data(attempt), options: [.fragmentsAllowed]) else { continue }
            if let array = value as? [Any] { return array }
            if let object = value as? [String: Any] {
                if let findings = object["findings"] as? [Any] { return findings }
                if object["path"] != nil { return [object] }
                return []
            }
        }
        return nil
    }

    /// Every complete `{…}` object found at the outermost object level of a JSON-ish text, in order. Strings and
    /// escapes are followed so braces inside messages do not count.
    static func scanObjects(_ bytes: [UInt8]) -> [Any] {
        var objects: [Any] = []
        var inString = false
        var escaped = false
        var depth = 0
        var start: Int?
        // Findings sit one level below the top: inside {"findings": [ … ]} or a bare [ … ].
        var containerDepth: Int?
        for (offset, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if byte == UInt8(ascii: "["), containerDepth == nil { containerDepth = depth }
                if byte == UInt8(ascii: "{"), let container = containerDepth, depth == container + 1 { start = offset }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if byte == UInt8(ascii: "}"), let begin = start, let container = containerDepth, depth == container + 1 {
                    let candidate = Array(bytes[begin...offset])
                    if maxDepth(candidate) <= maximumDepth,
                        let object = (try? JSONSerialization.jsonObject(with: Data(withoutTrailingCommas(candidate)))) as? [String: Any]
                    {
                        objects.append(object)
                    } else {
                        objects.append(NSNull())
                    }
                    start = nil
                }
                depth = max(0, depth - 1)
                if let container = containerDepth, depth < container { containerDepth = nil }
            default:
                break
            }
        }
        return objects
    }

    /// The deepest nesting of brackets outside strings.
    static func maxDepth(_ bytes: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }

    /// The text with commas that directly precede `}` or `]` (outside strings) removed.
    static func withoutTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        var pendingComma: Int?
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                output.append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                pendingComma = output.count
                output.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let comma = pendingComma { output.remove(at: comma) }
                pendingComma = nil
                output.append(byte)
            case 0x20, 0x09, 0x0A, 0x0D:
                output.append(byte)
            default:
                if byte == UInt8(ascii: "\"") { inString = true }
                pendingComma = nil
                output.append(byte)
            }
        }
        return output
    }

    static func normalize(_ items: [Any], files: [String: ClosedRange<Int>], repaired: Bool) -> ParsedAnswer {
        var findings: [ModelFinding] = []
        var dropped = 0
        for item in items {
            guard let object = item as? [String: Any], let finding = finding(object, files: files) else {
                dropped += 1
                continue
            }
            findings.append(finding)
        }
        return ParsedAnswer(findings: findings, dropped: dropped, repaired: repaired)
    }

    static func finding(_ object: [String: Any], files: [String: ClosedRange<Int>]) -> ModelFinding? {
        guard let named = (object["path"] as? String) ?? (object["file"] as? String) else { return nil }
        // Models often write `./app.py` for `app.py`.
        let path = files[named] != nil ? named : (named.hasPrefix("./") ? String(named.dropFirst(2)) : named)
        guard let range = files[path], let line = integer(object["line"] ?? object["start_line"]), range.contains(line) else { return nil }
        let message = clean(string(object["message"]) ?? string(object["description"]) ?? "", limit: maximumMessage)
        let title = clean(string(object["title"]) ?? "", limit: maximumTitle)
        guard !message.isEmpty || !title.isEmpty else { return nil }
        let fix = string(object["fix"]).map { clean($0, limit: maximumMessage) }.flatMap { $0.isEmpty ? nil : $0 }
        return ModelFinding(
            path: path, line: line, severity: severity(string(object["severity"])), category: category(string(object["category"])),
            title: title, message: message.isEmpty ? title : message, fix: fix, cwe: cwe(object["cwe"]),
            confidence: confidence(string(object["confidence"])))
    }

    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    static func integer(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber:
            let double = number.doubleValue
            return double.isFinite && double == double.rounded() && abs(double) < 1e9 ? Int(double) : nil
        case let text as String:
            // "12", " 12 ", and ranges such as "12-14" or "L12" (the first line counts).
            let digits = text.drop { !$0.isNumber }.prefix { $0.isNumber }
            return digits.count <= 9 ? Int(digits) : nil
        default:
            return nil
        }
    }

    /// `text` without control characters other than newline and tab, trimmed, at most `limit` characters.
    static func clean(_ text: String, limit: Int) -> String {
        let kept = text.unicodeScalars.filter { $0 == "\n" || $0 == "\t" || !($0.properties.generalCategory == .control) }
        return String(String.UnicodeScalarView(kept).prefix(limit)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func severity(_ value: String?) -> String {
        switch value?.lowercased().trimmingCharacters(in: .whitespaces) {
        case "critical", "blocker", "fatal": "critical"
        case "high", "error", "major", "severe": "high"
        case "medium", "moderate", "warning", "warn": "medium"
        case "low", "minor": "low"
        case "info", "information", "informational", "note", "hint", "trivial": "info"
        default: "medium"
        }
    }

    static func category(_ value: String?) -> String {
        switch value?.lowercased().trimmingCharacters(in: .whitespaces) {
        case "security", "vulnerability", "vuln", "secure": "security"
        case "bug", "correctness", "error", "logic", "reliability": "bug"
        case "performance", "perf", "efficiency": "performance"
        case "architecture", "design", "structure": "architecture"
        default: "quality"
        }
    }

    static func confidence(_ value: String?) -> String {
        switch value?.lowercased().trimmingCharacters(in: .whitespaces) {
        case "high", "certain": "high"
        case "low", "uncertain": "low"
        default: "medium"
        }
    }

    static func cwe(_ value: Any?) -> String? {
        guard let text = string(value) else { return nil }
        let digits = text.uppercased().replacingOccurrences(of: "CWE", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "-_: "))
        guard let number = Int(digits), number > 0, number < 100_000 else { return nil }
        return "CWE-\(number)"
    }
}
