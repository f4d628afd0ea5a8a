import ArbiterCore
import Foundation

/// What a search term was found in.
public enum SearchField: String, Sendable, Codable, CaseIterable {
    /// The resource's id, display name or plural display name.
    case name
    /// A property of an object type (id or display name) or a shared property an interface uses.
    case property
    /// An end of a link type: the id of its source or target object type.
    case link
}

/// One term of the search index: `term` (lower case) leads to `resource` through `field`, where the text was `text`.
public struct SearchEntry: Sendable, Hashable {
    public let resource: ResourceKey
    public let field: SearchField
    public let term: String
    public let text: String

    public init(resource: ResourceKey, field: SearchField, term: String, text: String) {
        self.resource = resource
        self.field = field
        self.term = term
        self.text = text
    }
}

/// Turns ontology documents into search terms. Every text is indexed whole and word by word, in lower case, so a
/// search for a prefix of either finds it: `emp` finds "Employee Record", and so do `rec` and `employee r`.
public enum SearchIndexer {
    /// Longest text indexed whole; longer ones are still found by their words.
    public static let maxTermLength = 200

    public static func entries(_ key: ResourceKey, _ document: JSONValue) -> [SearchEntry] {
        var entries: Set<SearchEntry> = []
        func add(_ field: SearchField, _ value: JSONValue?) {
            guard let text = value?.stringValue, !text.isEmpty else { return }
            for term in terms(text) { entries.insert(SearchEntry(resource: key, field: field, term: term, text: text)) }
        }
        add(.name, .string(key.id))
        add(.name, document["display_name"])
        add(.name, document["plural_display_name"])
        switch key.kind {
        case .objectTypes:
            if case .array(let properties)? = document["properties"] {
                for property in properties {
                    add(.property, property["id"])
                    add(.property, property["display_name"])
                }
            }
        case .interfaces:
            if case .array(let properties)? = document["properties"] {
                for property in properties { add(.property, property) }
            }
        case .linkTypes:
            add(.link, document["source"])
            add(.link, document["target"])
        case .sharedProperties:
            break
        }
        return entries.sorted { ($0.field.rawValue, $0.term, $0.text) < ($1.field.rawValue, $1.term, $1.text) }
    }

    /// The lower-case terms of `text`: the whole of it (trimmed, at most ``maxTermLength`` characters) and each word.
    public static func terms(_ text: String) -> Set<String> {
        let lowered = text.lowercased()
        var terms: Set<String> = []
        let whole = lowered.trimmingCharacters(in: .whitespacesAndNewlines)
        if !whole.isEmpty, whole.count <= maxTermLength { terms.insert(whole) }
        var word = ""
        for character in lowered {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else if !word.isEmpty {
                terms.insert(word)
                word = ""
            }
        }
        if !word.isEmpty { terms.insert(word) }
        return terms.filter { $0.count <= maxTermLength }
    }

    /// The upper end of the range of terms that start with `prefix`, for an index-friendly `term >= prefix AND
    /// term < upperBound` (byte order).
    public static func upperBound(forPrefix prefix: String) -> String { prefix + "\u{10FFFF}" }
}
