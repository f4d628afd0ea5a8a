import Foundation

/// A versioned prompt, stored as data in `PromptTemplates/*.json`. A new wording is a new version: the version is
/// part of every cache key and usage record, so answers to different prompts never mix.
public struct PromptTemplate: Sendable, Codable, Equatable {
    public let version: String
    public let purpose: String
    public let system: String
    public let instructions: String
    /// Heads each file; `{path}`, `{language}`, `{first}` and `{last}` are replaced.
    public let fileHeader: String

    enum CodingKeys: String, CodingKey {
        case version, purpose, system, instructions
        case fileHeader = "file_header"
    }

    /// Every template shipped with this build, by version.
    public static let all: [PromptTemplate] = {
        guard let folder = Bundle.module.url(forResource: "PromptTemplates", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [] }
        let urls = names.filter { $0.hasSuffix(".json") }.map { folder.appendingPathComponent($0) }
        return urls.compactMap { try? JSONDecoder().decode(PromptTemplate.self, from: Data(contentsOf: $0)) }.sorted { $0.version < $1.version }
    }()

    /// The code-review prompt new configurations use.
    public static let current: PromptTemplate = {
        guard let template = named("code-review-v1") else { fatalError("the code-review-v1 prompt is missing from the ArbiterAI resources") }
        return template
    }()

    public static func named(_ version: String) -> PromptTemplate? { all.first { $0.version == version } }

    /// The user message for `files`: instructions, then each file with numbered lines.
    public func render(_ files: [ChunkFile]) -> String {
        var text = instructions + "\n"
        for file in files {
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false)
            let count = file.text.hasSuffix("\n") ? lines.count - 1 : lines.count
            let last = file.firstLine + max(count, 1) - 1
            text += "\n"
                + fileHeader.replacingOccurrences(of: "{path}", with: file.path).replacingOccurrences(of: "{language}", with: file.language)
                .replacingOccurrences(of: "{first}", with: String(file.firstLine)).replacingOccurrences(of: "{last}", with: String(last))
                + "\n"
            for (offset, line) in lines.prefix(count).enumerated() { text += "\(file.firstLine + offset) | \(line)\n" }
        }
        return text
    }

    /// Tokens the template adds around the code itself: instructions and system prompt.
    public var overheadTokens: Int { TokenEstimator.estimate(system) + TokenEstimator.estimate(instructions) + 16 }
}
