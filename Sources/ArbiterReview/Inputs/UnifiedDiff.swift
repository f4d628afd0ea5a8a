import Foundation

/// A parsed unified diff (`git diff`, `diff -u`): for each file, the new file's text around each change and which of
/// its lines were added or changed.
public struct UnifiedDiff: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        /// The path in the new tree (`b/…` without its prefix).
        public var path: String
        public var hunks: [Hunk]
        /// True when the file was deleted: nothing to review.
        public var deleted: Bool

        /// Every added or changed line number in the new file.
        public var addedLines: Set<Int> { Set(hunks.flatMap(\.addedLines)) }
    }

    public struct Hunk: Sendable, Equatable {
        /// The new file's line number of `lines[0]`.
        public var newStart: Int
        /// The new file's lines of this hunk (context and added lines, in order).
        public var lines: [String]
        /// Added lines, as new-file line numbers.
        public var addedLines: [Int]
    }

    public var files: [File]

    /// A diff that cannot be read, with the line that gave it away.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let line: Int
        public let reason: String
        public var description: String { "diff line \(line): \(reason)" }
    }

    /// Parses `text`. Text outside file sections (a commit message, `git show` headers) is skipped; a hunk whose
    /// line counts do not add up is an error, since its line numbers could not be trusted.
    public init(parsing text: String) throws(ParseError) {
        var files: [File] = []
        var current: File?
        var hunk: Hunk?
        var oldRemaining = 0
        var newRemaining = 0
        var hunkHeaderLine = 0
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)

        func finishHunk() throws(ParseError) {
            guard let finished = hunk else { return }
            if oldRemaining != 0 || newRemaining != 0 {
                throw ParseError(line: hunkHeaderLine, reason: "the hunk is shorter than its header says (is the diff truncated?)")
            }
            current?.hunks.append(finished)
            hunk = nil
        }
        func finishFile() throws(ParseError) {
            try finishHunk()
            if let file = current { files.append(file) }
            current = nil
        }

        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if hunk != nil, oldRemaining > 0 || newRemaining > 0 {
                switch line.first {
                case " ", nil:
                    guard oldRemaining > 0, newRemaining > 0 else {
                        throw ParseError(line: number, reason: "a context line where the hunk header allows none")
                    }
                    hunk!.lines.append(String(line.dropFirst()))
                    oldRemaining -= 1
                    newRemaining -= 1
                case "+":
                    guard newRemaining > 0 else { throw ParseError(line: number, reason: "more added lines than the hunk header says") }
                    hunk!.addedLines.append(hunk!.newStart + hunk!.lines.count)
                    hunk!.lines.append(String(line.dropFirst()))
                    newRemaining -= 1
                case "-":
                    guard oldRemaining > 0 else { throw ParseError(line: number, reason: "more removed lines than the hunk header says") }
                    oldRemaining -= 1
                case "\\":
                    continue
                default:
                    throw ParseError(line: number, reason: "expected a line starting with ' ', '+' or '-' inside a hunk")
                }
                continue
            }
            if line.hasPrefix("\\") { continue }
            if line.hasPrefix("diff --git ") {
                try finishFile()
                current = File(path: Self.gitPath(line), hunks: [], deleted: false)
            } else if line.hasPrefix("--- ") {
                try finishHunk()
                if current == nil || !(current!.hunks.isEmpty) {
                    try finishFile()
                    current = File(path: "", hunks: [], deleted: false)
                }
            } else if line.hasPrefix("+++ ") {
                let path = Self.headerPath(line.dropFirst(4))
                if path == "/dev/null" {
                    current?.deleted = true
                } else if current != nil {
                    current!.path = path
                }
            } else if line.hasPrefix("deleted file mode") {
                current?.deleted = true
            } else if line.hasPrefix("@@") {
                try finishHunk()
                guard current != nil else { throw ParseError(line: number, reason: "a hunk before any file header ('--- a/…', '+++ b/…')") }
                guard let header = Self.hunkHeader(line) else {
                    throw ParseError(line: number, reason: "malformed hunk header; expected '@@ -OLD,COUNT +NEW,COUNT @@'")
                }
                hunk = Hunk(newStart: header.newStart, lines: [], addedLines: [])
                oldRemaining = header.oldCount
                newRemaining = header.newCount
                hunkHeaderLine = number
            }
        }
        try finishFile()
        self.files = files.filter { !$0.path.isEmpty }
    }

    /// `diff --git a/x b/y` → `y`.
    private static func gitPath(_ line: Substring) -> String {
        guard let range = line.range(of: " b/", options: .backwards) else { return "" }
        return String(line[range.upperBound...])
    }

    /// `b/path\t2024-01-01 …` → `path`; `/dev/null` stays as it is.
    private static func headerPath(_ text: Substring) -> String {
        var path = text.split(separator: "\t", maxSplits: 1).first.map(String.init) ?? ""
        if path.hasPrefix("\""), path.hasSuffix("\""), path.count >= 2 { path = String(path.dropFirst().dropLast()) }
        if path == "/dev/null" { return path }
        if path.hasPrefix("b/") || path.hasPrefix("a/") { path.removeFirst(2) }
        return path
    }

    /// `@@ -12,3 +14,5 @@ context` → old count 3, new start 14, new count 5 (a missing count means 1).
    static func hunkHeader(_ line: Substring) -> (newStart: Int, oldCount: Int, newCount: Int)? {
        let parts = line.split(separator: " ")
        guard parts.count >= 3, parts[0] == "@@", parts[1].hasPrefix("-"), parts[2].hasPrefix("+") else { return nil }
        func range(_ text: Substring) -> (Int, Int)? {
            let numbers = text.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard let start = Int(numbers[0]), start >= 0 else { return nil }
            if numbers.count == 1 { return (start, 1) }
            guard numbers.count == 2, let count = Int(numbers[1]), count >= 0 else { return nil }
            return (start, count)
        }
        guard let old = range(parts[1]), let new = range(parts[2]) else { return nil }
        return (new.0 == 0 ? 1 : new.0, old.1, new.1)
    }
}
