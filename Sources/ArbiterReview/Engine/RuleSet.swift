import Foundation
import Yams

/// Loads rule files: the built-in ones shipped in the package's `Rules/` folder, and a user's extra ones.
public enum RuleSet {
    /// The version of the analyzer's code; the rule set's fingerprint is added to it.
    public static let engineVersion = "1.0.0"

    /// The built-in rules plus those in `extraFiles`, compiled. A rule id defined twice is an error.
    public static func load(extraFiles: [URL] = []) throws(RuleError) -> [Rule] {
        var sources: [(origin: String, text: String)] = []
        for url in builtInFiles() {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw RuleError(origin: url.lastPathComponent, ruleID: nil, reason: "cannot read the built-in rule file")
            }
            sources.append(("built-in \(url.lastPathComponent)", text))
        }
        for url in extraFiles {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw RuleError(origin: url.path, ruleID: nil, reason: "cannot read this rule file; check the path")
            }
            sources.append((url.path, text))
        }
        var rules: [Rule] = []
        var seen: [String: String] = [:]
        for (origin, text) in sources {
            for definition in try parse(text, origin: origin) {
                if let first = seen[definition.id] {
                    throw RuleError(origin: origin, ruleID: definition.id, reason: "the id is already used in \(first); ids must be unique")
                }
                seen[definition.id] = origin
                rules.append(try Rule(definition, origin: origin))
            }
        }
        return rules
    }

    /// The rule definitions in one YAML document (`rules: [...]`).
    public static func parse(_ text: String, origin: String) throws(RuleError) -> [RuleDefinition] {
        struct File: Decodable { let rules: [RuleDefinition] }
        do {
            return try YAMLDecoder().decode(File.self, from: text).rules
        } catch let error as DecodingError {
            throw RuleError(origin: origin, ruleID: nil, reason: describe(error))
        } catch {
            throw RuleError(origin: origin, ruleID: nil, reason: "not valid YAML: \(error)")
        }
    }

    /// The version string of an analyzer running `rules`: changes when any rule changes.
    public static func version(of rules: [Rule]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for rule in rules {
            for byte in (try? encoder.encode(rule.definition)) ?? Data(rule.id.utf8) {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return "\(engineVersion)+rules.\(String(hash, radix: 16).prefix(12))"
    }

    static func builtInFiles() -> [URL] {
        guard let folder = Bundle.module.url(forResource: "Rules", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context):
            return "bad value at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "bad value at \(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}
