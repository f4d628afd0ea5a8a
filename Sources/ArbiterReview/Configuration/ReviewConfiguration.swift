import Foundation
import Yams

/// What `.arbiter.yml` in a reviewed tree (or `--config FILE`) says.
///
/// ```yaml
/// include: ["src/**", "lib/**"]      # only these paths (default: everything)
/// exclude: ["**/vendor/**", "**/*_test.go"]
/// min-severity: medium               # leave out findings below this
/// disabled-rules: [PY-PRINT-001]
/// rules: [tools/arbiter-rules.yml]   # extra rule files, relative to this file
/// max-file-size: 2000000             # bytes; larger files are skipped
/// ```
public struct ReviewConfiguration: Sendable, Equatable {
    public var include: [String] = []
    public var exclude: [String] = []
    public var minimumSeverity: Severity = .info
    public var disabledRules: Set<String> = []
    /// Extra rule files, as absolute URLs.
    public var ruleFiles: [URL] = []
    public var maximumFileSize = 2_000_000

    public init() {}

    /// The file name looked for at the root of a reviewed tree.
    public static let fileName = ".arbiter.yml"

    struct File: Decodable {
        var include: [String]?
        var exclude: [String]?
        var minSeverity: String?
        var disabledRules: [String]?
        var rules: [String]?
        var maxFileSize: Int?

        enum CodingKeys: String, CodingKey {
            case include, exclude
            case minSeverity = "min-severity"
            case disabledRules = "disabled-rules"
            case rules
            case maxFileSize = "max-file-size"
        }
    }

    /// A configuration file that cannot be used, with what to change.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let origin: String
        public let reason: String
        public var description: String { "\(origin): \(reason)" }
    }

    /// Reads a configuration file. Unknown keys are errors, so a typo does not silently do nothing.
    public static func load(from url: URL) throws(Invalid) -> ReviewConfiguration {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw Invalid(origin: url.path, reason: "cannot read the file")
        }
        return try parse(text, origin: url.path, folder: url.deletingLastPathComponent())
    }

    static let knownKeys: Set<String> = ["include", "exclude", "min-severity", "disabled-rules", "rules", "max-file-size"]

    public static func parse(_ text: String, origin: String, folder: URL) throws(Invalid) -> ReviewConfiguration {
        var configuration = ReviewConfiguration()
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return configuration }
        let file: File
        do {
            if let node = try Yams.compose(yaml: text) {
                guard let mapping = node.mapping else { throw Invalid(origin: origin, reason: "expected a mapping of settings at the top level") }
                let unknown = mapping.keys.compactMap(\.string).filter { !knownKeys.contains($0) }
                if !unknown.isEmpty {
                    throw Invalid(
                        origin: origin,
                        reason: "unknown setting \(unknown.sorted().joined(separator: ", ")); known: \(knownKeys.sorted().joined(separator: ", "))")
                }
            }
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch let invalid as Invalid {
            throw invalid
        } catch {
            throw Invalid(origin: origin, reason: "not valid: \(error)")
        }
        for pattern in (file.include ?? []) + (file.exclude ?? []) {
            do { _ = try Glob(pattern) } catch { throw Invalid(origin: origin, reason: error.description) }
        }
        configuration.include = file.include ?? []
        configuration.exclude = file.exclude ?? []
        if let name = file.minSeverity {
            guard let severity = Severity(rawValue: name.lowercased()) else {
                throw Invalid(origin: origin, reason: "min-severity '\(name)' is not one of \(Severity.choices)")
            }
            configuration.minimumSeverity = severity
        }
        configuration.disabledRules = Set(file.disabledRules ?? [])
        configuration.ruleFiles = (file.rules ?? []).map { path in
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
        }
        if let size = file.maxFileSize {
            guard size > 0 else { throw Invalid(origin: origin, reason: "max-file-size must be a positive number of bytes") }
            configuration.maximumFileSize = size
        }
        return configuration
    }
}
