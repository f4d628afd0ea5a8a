/// The kinds of resource an ontology holds, spelled as they appear in paths.
public enum ResourceKind: String, Sendable, Codable, CaseIterable, Comparable {
    case objectTypes = "object-types"
    case linkTypes = "link-types"
    case interfaces
    case sharedProperties = "shared-properties"

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One resource of an ontology: its kind and id.
public struct ResourceKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: ResourceKind
    public var id: String

    public init(_ kind: ResourceKind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool { (lhs.kind, lhs.id) < (rhs.kind, rhs.id) }

    /// `object-types/employee`.
    public var description: String { "\(kind.rawValue)/\(id)" }
}
