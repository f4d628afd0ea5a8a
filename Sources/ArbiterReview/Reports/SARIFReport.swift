import Foundation

/// A review as SARIF 2.1.0 (the format GitHub code scanning and most CI tools read).
public enum SARIFReport {
    public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"

    /// The SARIF log for `report`. `rules` describes every rule that produced a finding.
    public static func encode(_ report: ReviewReport, rules: [Rule], toolVersion: String) throws -> Data {
        let used = Set(report.findings.map(\.ruleID))
        let described = rules.filter { used.contains($0.id) }.sorted { $0.id < $1.id }
        let indexes = Dictionary(uniqueKeysWithValues: described.enumerated().map { ($1.id, $0) })
        let log = Log(
            schema: schema, version: "2.1.0",
            runs: [
                Run(
                    tool: Tool(
                        driver: Driver(
                            name: "Arbiter", version: toolVersion, semanticVersion: toolVersion.split(separator: "+").first.map(String.init) ?? toolVersion,
                            informationUri: "https://github.com/arbiter-review/arbiter",
                            rules: described.map(ReportingDescriptor.init))),
                    results: report.findings.map { finding in
                        Result(
                            ruleId: finding.ruleID, ruleIndex: indexes[finding.ruleID], level: level(finding.severity),
                            message: Message(text: finding.message + (finding.fix.map { " Fix: \($0)" } ?? "")),
                            locations: [
                                Location(
                                    physicalLocation: PhysicalLocation(
                                        artifactLocation: ArtifactLocation(uri: uri(finding.path), uriBaseId: finding.path.hasPrefix("/") ? nil : "%SRCROOT%"),
                                        region: Region(
                                            startLine: finding.line, startColumn: finding.column, endColumn: max(finding.endColumn, finding.column + 1),
                                            snippet: Message(text: finding.snippet))))
                            ],
                            partialFingerprints: ["primaryLocationLineHash": fingerprint(finding)],
                            properties: ResultProperties(category: finding.category.rawValue, confidence: finding.confidence.rawValue, severity: finding.severity.rawValue))
                    },
                    columnKind: "utf16CodeUnits",
                    originalUriBaseIds: ["%SRCROOT%": ArtifactLocation(uri: "./", uriBaseId: nil)])
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(log)
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    /// GitHub's `security-severity`: a CVSS-like score that orders security findings.
    static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "1.0"
        }
    }

    /// A relative path as a URI reference: each segment percent-encoded.
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":?#[]@")
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }.joined(separator: "/")
    }

    /// Stable across unrelated edits: rule, file and the trimmed line text, not the line number.
    static func fingerprint(_ finding: Finding) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(finding.ruleID)\u{0}\(finding.path)\u{0}\(finding.snippet.trimmingCharacters(in: .whitespaces))".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    struct Log: Encodable {
        let schema: String
        let version: String
        let runs: [Run]
        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case version, runs
        }
    }

    struct Run: Encodable {
        let tool: Tool
        let results: [Result]
        let columnKind: String
        let originalUriBaseIds: [String: ArtifactLocation]
    }

    struct Tool: Encodable { let driver: Driver }

    struct Driver: Encodable {
        let name: String
        let version: String
        let semanticVersion: String
        let informationUri: String
        let rules: [ReportingDescriptor]
    }

    struct ReportingDescriptor: Encodable {
        let id: String
        let name: String
        let shortDescription: Message
        let fullDescription: Message
        let help: Message
        let defaultConfiguration: Configuration
        let properties: Properties

        struct Configuration: Encodable { let level: String }

        struct Properties: Encodable {
            let tags: [String]
            let precision: String
            let problemSeverity: String
            let securitySeverity: String?
            enum CodingKeys: String, CodingKey {
                case tags, precision
                case problemSeverity = "problem.severity"
                case securitySeverity = "security-severity"
            }
        }

        init(_ rule: Rule) {
            let definition = rule.definition
            id = definition.id
            name = definition.id.replacingOccurrences(of: "-", with: "")
            shortDescription = Message(text: definition.message)
            fullDescription = Message(text: definition.message)
            help = Message(text: definition.fix ?? definition.message)
            defaultConfiguration = Configuration(level: SARIFReport.level(definition.severity))
            var tags = [definition.category.rawValue]
            if let cwe = definition.cwe { tags.append("external/cwe/\(cwe.lowercased())") }
            if let owasp = definition.owasp { tags.append("external/owasp/\(owasp)") }
            let precision: String
            switch definition.confidence ?? .medium {
            case .high: precision = "high"
            case .medium: precision = "medium"
            case .low: precision = "low"
            }
            properties = Properties(
                tags: tags, precision: precision, problemSeverity: SARIFReport.level(definition.severity),
                securitySeverity: definition.category == .security ? SARIFReport.securitySeverity(definition.severity) : nil)
        }
    }

    struct Message: Encodable { let text: String }

    struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int?
        let level: String
        let message: Message
        let locations: [Location]
        let partialFingerprints: [String: String]
        let properties: ResultProperties
    }

    struct ResultProperties: Encodable {
        let category: String
        let confidence: String
        let severity: String
    }

    struct Location: Encodable { let physicalLocation: PhysicalLocation }

    struct PhysicalLocation: Encodable {
        let artifactLocation: ArtifactLocation
        let region: Region
    }

    struct ArtifactLocation: Encodable {
        let uri: String
        let uriBaseId: String?
    }

    struct Region: Encodable {
        let startLine: Int
        let startColumn: Int
        let endColumn: Int
        let snippet: Message
    }
}
