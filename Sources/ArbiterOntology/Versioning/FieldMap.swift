import ArbiterCore

/// A document flattened into fields, so that two changes to different fields of one resource never collide.
///
/// Objects become one entry per member path; arrays of objects that each have a distinct string `id` (the
/// properties of an object type, say) become one entry per element, keyed by that id, so adding one property
/// and changing another merge cleanly. Other arrays (enum values) are single values. Containers leave a marker
/// entry, so a removed property removes its fields and a field changed under a removed property is a conflict.
struct FieldMap: Equatable, Sendable {
    enum Entry: Equatable, Sendable {
        case value(JSONValue)
        case object
        case keyedArray
    }

    var entries: [FieldPath: Entry]

    init(_ entries: [FieldPath: Entry] = [:]) {
        self.entries = entries
    }

    /// Flattens `document` (an object; anything else is one value at the root).
    init(flattening document: JSONValue) {
        var entries: [FieldPath: Entry] = [:]
        // An explicit stack rather than recursion: documents come from users.
        var stack: [(FieldPath, JSONValue)] = [(FieldPath([]), document)]
        while let (path, value) = stack.popLast() {
            switch value {
            case .object(let members):
                entries[path] = .object
                for (key, member) in members { stack.append((path.appending(.member(key)), member)) }
            case .array(let elements) where Self.isKeyed(elements):
                entries[path] = .keyedArray
                for element in elements {
                    guard case .object = element, let id = element["id"]?.stringValue else { continue }
                    stack.append((path.appending(.element(id)), element))
                }
            default:
                entries[path] = .value(value)
            }
        }
        self.entries = entries
    }

    /// Arrays merged element by element: non-empty, every element an object with a distinct string `id`.
    static func isKeyed(_ elements: [JSONValue]) -> Bool {
        guard !elements.isEmpty else { return false }
        var seen = Set<String>()
        for element in elements {
            guard case .object = element, let id = element["id"]?.stringValue, seen.insert(id).inserted else { return false }
        }
        return true
    }

    /// The document again; elements of keyed arrays come out in id order. `nil` when the entries do not form a
    /// document (a field without its container).
    func document() -> JSONValue? {
        guard entries[FieldPath([])] != nil else { return nil }
        for path in entries.keys where !path.segments.isEmpty {
            guard let parent = path.parent, entries[parent] != nil else { return nil }
        }
        var children: [FieldPath: [(FieldPath.Segment, JSONValue)]] = [:]
        // Deepest paths first: each node is complete before its container takes it.
        for path in entries.keys.sorted(by: { $0.segments.count > $1.segments.count }) {
            let node: JSONValue
            switch entries[path]! {
            case .value(let value):
                node = value
            case .object:
                var members: [String: JSONValue] = [:]
                for (segment, value) in children[path] ?? [] {
                    guard case .member(let key) = segment else { return nil }
                    members[key] = value
                }
                node = .object(members)
            case .keyedArray:
                var elements: [(String, JSONValue)] = []
                for (segment, value) in children[path] ?? [] {
                    guard case .element(let id) = segment else { return nil }
                    elements.append((id, value))
                }
                node = .array(elements.sorted { $0.0 < $1.0 }.map(\.1))
            }
            guard let parent = path.parent, let last = path.segments.last else { return node }
            children[parent, default: []].append((last, node))
        }
        return nil
    }
}

/// Where a field sits in a document: member names and keyed-array element ids.
public struct FieldPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Segment: Hashable, Sendable, Comparable {
        case member(String)
        case element(String)
    }

    public var segments: [Segment]

    public init(_ segments: [Segment]) {
        self.segments = segments
    }

    func appending(_ segment: Segment) -> FieldPath { FieldPath(segments + [segment]) }

    var parent: FieldPath? { segments.isEmpty ? nil : FieldPath(Array(segments.dropLast())) }

    /// `properties[salary].data_type`; the empty path is the whole resource.
    public var description: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .member(let name): text += text.isEmpty ? name : ".\(name)"
            case .element(let id): text += "[\(id)]"
            }
        }
        return text
    }

    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.description < rhs.description }
}
