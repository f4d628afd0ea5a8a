/// One thing wrong with the configuration: which key, from where, and how to fix it.
public struct ConfigurationProblem: Equatable, Sendable, CustomStringConvertible {
    /// The key the problem is about.
    public let key: ConfigurationKey
    /// Where the bad value came from: `--port`, `ARBITER_PORT`, or `default`.
    public let source: String
    /// The rejected value, or `nil` when it may hold a secret.
    public let value: String?
    /// What is wrong and what would be accepted.
    public let message: String

    public init(key: ConfigurationKey, source: String, value: String?, message: String) {
        self.key = key
        self.source = source
        self.value = value
        self.message = message
    }

    public var description: String {
        let shown = value.map { " \"\($0)\"" } ?? ""
        return "\(source)\(shown) (\(key.name)): \(message)"
    }
}

/// Every problem found while reading the configuration, reported together so one run shows them all.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String {
        let noun = problems.count == 1 ? "problem" : "problems"
        let lines = problems.map { "  - \($0)" }.joined(separator: "\n")
        return "Invalid configuration (\(problems.count) \(noun)):\n\(lines)\nRun `arbiter serve --help` for every setting."
    }
}
