/// How bad a finding is, from `info` to `critical`. Ordered: `critical > high > … > info`.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// The names accepted on the command line and in configuration, for error messages.
    public static let choices = allCases.map(\.rawValue).joined(separator: ", ")
}

/// What kind of problem a finding is.
public enum Category: String, Codable, Sendable, CaseIterable {
    case security, bug, performance, quality, architecture
}

/// How sure a rule is that a match is a real problem.
public enum Confidence: String, Codable, Sendable, CaseIterable {
    case low, medium, high
}
