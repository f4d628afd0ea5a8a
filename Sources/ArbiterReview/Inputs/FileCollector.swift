import Foundation

/// Finds the files to review under the paths a user named: walks folders, honours `.gitignore` files and the
/// configuration's include/exclude globs, and skips binary files, huge files and languages it does not read.
public struct FileCollector: Sendable {
    public struct Candidate: Sendable, Equatable {
        /// The path as reported: relative to the current folder when under it.
        public let path: String
        public let url: URL
        public let language: Language
    }

    /// Why a file was passed over.
    public enum SkipReason: String, Sendable, Codable {
        case binary, tooLarge = "too-large", unreadable
        case unsupportedLanguage = "unsupported-language"
    }

    public struct Skipped: Error, Sendable, Equatable, Codable {
        public let path: String
        public let reason: SkipReason

        public init(path: String, reason: SkipReason) {
            self.path = path
            self.reason = reason
        }
    }

    let include: [Glob]
    let exclude: [Glob]
    let maximumFileSize: Int

    public init(configuration: ReviewConfiguration) throws(InvalidGlob) {
        var include: [Glob] = []
        var exclude: [Glob] = []
        for pattern in configuration.include { include.append(try Glob(pattern)) }
        for pattern in configuration.exclude { exclude.append(try Glob(pattern)) }
        self.include = include
        self.exclude = exclude
        maximumFileSize = configuration.maximumFileSize
    }

    /// A named path that does not exist.
    public struct Missing: Error, CustomStringConvertible, Sendable {
        public let path: String
        public var description: String { "\(path): no such file or folder" }
    }

    /// Every reviewable file under `paths`, sorted. A file named explicitly is reviewed even if ignored.
    public func collect(_ paths: [String]) throws(Missing) -> [Candidate] {
        var found: [Candidate] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw Missing(path: path) }
            let url = URL(fileURLWithPath: path).standardizedFileURL
            if isDirectory.boolValue {
                walk(url, relative: "", display: Self.displayPath(path), ignores: [], into: &found)
            } else if let language = Language.detect(path: path) {
                found.append(Candidate(path: Self.displayPath(path), url: url, language: language))
            }
        }
        var seen = Set<String>()
        return found.filter { seen.insert($0.url.path).inserted }.sorted { $0.path < $1.path }
    }

    private func walk(_ folder: URL, relative: String, display: String, ignores: [(prefix: String, rules: GitIgnore)], into found: inout [Candidate]) {
        var ignores = ignores
        if let text = try? String(contentsOf: folder.appendingPathComponent(".gitignore"), encoding: .utf8) {
            ignores.append((relative, GitIgnore(text: text)))
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names.sorted() where name != ".git" {
            let url = folder.appendingPathComponent(name)
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            guard let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey, .isRegularFileKey]) else { continue }
            // Folders reached through a link are not followed: they can loop or leave the tree.
            let isDirectory = values.isDirectory == true && values.isSymbolicLink != true
            if Self.ignored(path, isDirectory: isDirectory, by: ignores) { continue }
            let shown = display.isEmpty || display == "." ? path : "\(display)/\(name)".replacingOccurrences(of: "//", with: "/")
            if isDirectory {
                if exclude.contains(where: { $0.matches(path) }) { continue }
                walk(url, relative: path, display: shown, ignores: ignores, into: &found)
            } else if values.isRegularFile == true || values.isSymbolicLink == true, let language = Language.detect(path: name) {
                if !include.isEmpty, !include.contains(where: { $0.matches(path) }) { continue }
                if exclude.contains(where: { $0.matches(path) }) { continue }
                found.append(Candidate(path: shown, url: url, language: language))
            }
        }
    }

    private static func ignored(_ path: String, isDirectory: Bool, by ignores: [(prefix: String, rules: GitIgnore)]) -> Bool {
        var verdict = false
        for (prefix, rules) in ignores {
            let local = prefix.isEmpty ? path : String(path.dropFirst(prefix.count + 1))
            if let said = rules.verdict(local, isDirectory: isDirectory) { verdict = said }
        }
        return verdict
    }

    private static func displayPath(_ path: String) -> String {
        var path = path
        while path.hasPrefix("./"), path.count > 2 { path.removeFirst(2) }
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// The file's text, or why it is skipped: larger than the limit, binary (a NUL byte in its first 8 KiB), or
    /// unreadable. Invalid UTF-8 is repaired rather than refused.
    public func read(_ candidate: Candidate) -> Result<String, Skipped> {
        guard let handle = FileHandle(forReadingAtPath: candidate.url.path) else {
            return .failure(Skipped(path: candidate.path, reason: .unreadable))
        }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maximumFileSize + 1) ?? Data() else {
            return .failure(Skipped(path: candidate.path, reason: .unreadable))
        }
        if data.count > maximumFileSize { return .failure(Skipped(path: candidate.path, reason: .tooLarge)) }
        let binary = data.withUnsafeBytes { buffer in
            buffer.baseAddress.map { memchr($0, 0, min(buffer.count, 8192)) != nil } ?? false
        }
        if binary { return .failure(Skipped(path: candidate.path, reason: .binary)) }
        return .success(String(decoding: data, as: UTF8.self))
    }
}
