import Foundation

/// A path pattern as in `.gitignore` and `.arbiter.yml`: `*` matches within a folder name, `**` across folders,
/// `?` one character, `[abc]` a set.
public struct Glob: Sendable {
    public let pattern: String
    private let expression: NSRegularExpression

    /// A pattern without a `/` (other than a trailing one) matches a name at any depth, as in `.gitignore`.
    public init(_ pattern: String) throws(InvalidGlob) {
        self.pattern = pattern
        var text = pattern
        if text.hasPrefix("/") {
            text.removeFirst()
        } else if !text.dropLast(text.hasSuffix("/") ? 1 : 0).contains("/") {
            text = "**/" + text
        }
        if text.hasSuffix("/") { text.removeLast() }
        var regex = "^"
        var characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*":
                if index + 1 < characters.count, characters[index + 1] == "*" {
                    if index + 2 < characters.count, characters[index + 2] == "/" {
                        regex += "(?:.*/)?"
                        index += 3
                    } else {
                        regex += ".*"
                        index += 2
                    }
                    continue
                }
                regex += "[^/]*"
            case "?":
                regex += "[^/]"
            case "[":
                guard let close = characters[(index + 1)...].firstIndex(of: "]") else { throw InvalidGlob(pattern: pattern) }
                var set = String(characters[(index + 1)..<close])
                if set.hasPrefix("!") { set = "^" + set.dropFirst() }
                regex += "[" + set.replacingOccurrences(of: "\\", with: "\\\\") + "]"
                index = close
            case "\\":
                if index + 1 < characters.count {
                    regex += NSRegularExpression.escapedPattern(for: String(characters[index + 1]))
                    index += 1
                }
            default:
                regex += NSRegularExpression.escapedPattern(for: String(character))
            }
            index += 1
        }
        // A pattern naming a folder also covers everything inside it.
        regex += "(?:/.*)?$"
        characters = []
        do { expression = try NSRegularExpression(pattern: regex) } catch { throw InvalidGlob(pattern: pattern) }
    }

    /// Whether `path` (relative, `/`-separated) matches.
    public func matches(_ path: String) -> Bool {
        expression.firstMatch(in: path, options: [], range: NSRange(location: 0, length: path.utf16.count)) != nil
    }
}

/// A glob that cannot be compiled.
public struct InvalidGlob: Error, CustomStringConvertible, Sendable {
    public let pattern: String
    public var description: String { "'\(pattern)' is not a valid glob (an unclosed '['?)" }
}

/// The rules of one `.gitignore` file.
struct GitIgnore {
    struct Entry {
        let glob: Glob
        let negated: Bool
        let directoryOnly: Bool
    }

    let entries: [Entry]

    init(text: String) {
        var entries: [Entry] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = String(rawLine)
            while line.hasSuffix(" "), !line.hasSuffix("\\ ") { line.removeLast() }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let negated = line.hasPrefix("!")
            if negated { line.removeFirst() }
            let directoryOnly = line.hasSuffix("/")
            guard let glob = try? Glob(line) else { continue }
            entries.append(Entry(glob: glob, negated: negated, directoryOnly: directoryOnly))
        }
        self.entries = entries
    }

    /// Nil when no line speaks about `path` (relative to this file's folder); else whether it is ignored. The last
    /// matching line wins, as in git.
    func verdict(_ path: String, isDirectory: Bool) -> Bool? {
        var verdict: Bool?
        for entry in entries where (!entry.directoryOnly || isDirectory) && entry.glob.matches(path) {
            verdict = !entry.negated
        }
        return verdict
    }
}
