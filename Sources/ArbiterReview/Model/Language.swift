/// A programming language the analyzer understands.
public enum Language: String, Codable, Sendable, CaseIterable {
    case python, javascript, typescript, go, java, swift, c, cpp, ruby, php

    /// The language of a file, from its name; nil for files the analyzer does not read.
    public static func detect(path: String) -> Language? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return byExtension[name[name.index(after: dot)...].lowercased()]
    }

    /// The language for a name given by a user (`--language`, the API's `language`), accepting common aliases.
    public static func named(_ name: String) -> Language? {
        let lowered = name.lowercased()
        if let language = Language(rawValue: lowered) { return language }
        return aliases[lowered] ?? byExtension[lowered]
    }

    private static let aliases: [String: Language] = [
        "js": .javascript, "ts": .typescript, "golang": .go, "c++": .cpp, "py": .python, "rb": .ruby,
        "node": .javascript, "objective-c": .c,
    ]

    static let byExtension: [String: Language] = [
        "py": .python, "pyw": .python,
        "js": .javascript, "jsx": .javascript, "mjs": .javascript, "cjs": .javascript,
        "ts": .typescript, "tsx": .typescript, "mts": .typescript, "cts": .typescript,
        "go": .go, "java": .java, "swift": .swift,
        "c": .c, "h": .c,
        "cc": .cpp, "cpp": .cpp, "cxx": .cpp, "hpp": .cpp, "hh": .cpp, "hxx": .cpp,
        "rb": .ruby, "rake": .ruby, "php": .php, "phtml": .php,
    ]

    /// Languages whose rules also apply to this one: TypeScript gets the JavaScript rules, C++ the C rules.
    var ruleLanguages: [Language] {
        switch self {
        case .typescript: [.typescript, .javascript]
        case .cpp: [.cpp, .c]
        default: [self]
        }
    }

    /// The accepted names, for error messages.
    public static let choices = allCases.map(\.rawValue).joined(separator: ", ")
}
