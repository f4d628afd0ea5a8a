import Foundation

/// A reference to an issue in a tracker, as found in a header, a body field or a commit message.
public struct IssueReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Tracker: String, Sendable, Codable {
        /// `ABC-123` (Jira, and Linear, whose identifiers have the same shape).
        case jira
        case github
        case gitlab
        /// A linear.app issue URL.
        case linear
    }

    public let tracker: Tracker
    /// The canonical spelling: `ABC-123`, `#123`, `!123`.
    public let key: String

    public var description: String { key }

    /// The formats, for error messages that say how to supply one.
    public static let formats = "JIRA or Linear `ABC-123`, GitHub `#123` or `GH-123`, GitLab `!123` or `GL-123`, or a linear.app issue URL"

    /// Words shaped like project keys that are standards, not projects: `UTF-8` is not an issue.
    static let notProjects: Set<String> = ["UTF", "SHA", "ISO", "RFC", "AES", "TLS", "SSL", "HTTP", "MD", "CVE", "CWE", "IEEE", "ECMA", "X", "UTC", "GMT"]

    /// Every reference in `text`, in order of appearance, without repeats. `GH-123` is GitHub `#123` and `GL-123` is
    /// GitLab `!123`, not Jira projects.
    public static func all(in text: String) -> [IssueReference] {
        var found: [(Range<String.Index>, IssueReference)] = []
        func scan(_ pattern: String, _ make: (Substring) -> IssueReference?) {
            guard let expression = try? NSRegularExpression(pattern: pattern) else { return }
            let range = NSRange(text.startIndex..., in: text)
            for match in expression.matches(in: text, range: range) {
                guard let whole = Range(match.range, in: text), let group = Range(match.range(at: 1), in: text) else { continue }
                if found.contains(where: { $0.0.overlaps(whole) }) { continue }
                if let reference = make(text[group]) { found.append((whole, reference)) }
            }
        }
        scan(#"https?://linear\.app/[A-Za-z0-9_-]+/issue/([A-Z][A-Z0-9]{1,9}-[0-9]{1,9})\b"#) { IssueReference(tracker: .linear, key: String($0)) }
        scan(#"(?<![A-Za-z0-9])GH-([0-9]{1,9})\b"#) { IssueReference(tracker: .github, key: "#\($0)") }
        scan(#"(?<![A-Za-z0-9])GL-([0-9]{1,9})\b"#) { IssueReference(tracker: .gitlab, key: "!\($0)") }
        scan(#"(?<![A-Za-z0-9&])#([0-9]{1,9})\b"#) { IssueReference(tracker: .github, key: "#\($0)") }
        scan(#"(?<![A-Za-z0-9])!([0-9]{1,9})\b"#) { IssueReference(tracker: .gitlab, key: "!\($0)") }
        scan(#"(?<![A-Za-z0-9-])([A-Z][A-Z0-9]{1,9}-[0-9]{1,9})\b"#) { key in
            notProjects.contains(String(key.prefix { $0 != "-" })) ? nil : IssueReference(tracker: .jira, key: String(key))
        }
        var seen = Set<IssueReference>()
        return found.sorted { $0.0.lowerBound < $1.0.lowerBound }.map(\.1).filter { seen.insert($0).inserted }
    }

    /// References from an `X-Issue-ID` header: comma-separated, each of which must be a reference.
    /// Returns the items that are not, so the caller can name them.
    public static func header(_ value: String) -> (references: [IssueReference], invalid: [String]) {
        var references: [IssueReference] = []
        var invalid: [String] = []
        for item in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let found = all(in: item)
            if found.count == 1 { references.append(found[0]) } else { invalid.append(item) }
        }
        return (references, invalid)
    }
}
