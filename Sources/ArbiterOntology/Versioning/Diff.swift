import ArbiterCore

/// What changed between two snapshots, resource by resource and field by field.
public struct SnapshotDiff: Sendable, Equatable {
    public enum Change: String, Sendable, Codable {
        case added, removed, modified
    }

    /// One field that differs; `nil` on a side where it does not exist.
    public struct FieldChange: Sendable, Equatable {
        public let path: String
        public let before: JSONValue?
        public let after: JSONValue?
    }

    public struct ResourceChange: Sendable, Equatable {
        public let key: ResourceKey
        public let change: Change
        /// For `modified`: each field that differs, in path order.
        public let fields: [FieldChange]
    }

    /// In resource key order.
    public let changes: [ResourceChange]

    /// Compares `old` with `new`. Costs in proportion to the resources that differ: unchanged documents are
    /// skipped by equality, which for `JSONValue` stops at the first difference.
    public init(from old: Snapshot, to new: Snapshot) {
        var changes: [ResourceChange] = []
        for key in Set(old.resources.keys).union(new.resources.keys).sorted() {
            switch (old[key], new[key]) {
            case (nil, .some): changes.append(ResourceChange(key: key, change: .added, fields: []))
            case (.some, nil): changes.append(ResourceChange(key: key, change: .removed, fields: []))
            case (let before?, let after?) where before != after:
                changes.append(ResourceChange(key: key, change: .modified, fields: Self.fields(before, after)))
            default: break
            }
        }
        self.changes = changes
    }

    static func fields(_ before: JSONValue, _ after: JSONValue) -> [FieldChange] {
        let old = FieldMap(flattening: before).entries
        let new = FieldMap(flattening: after).entries
        var fields: [FieldChange] = []
        // Each path's text is built once: sorting by `FieldPath` would build it on every comparison.
        for (name, path) in Set(old.keys).union(new.keys).map({ ($0.description, $0) }).sorted(by: { $0.0 < $1.0 }) where old[path] != new[path] {
            // Containers appear through their fields; report values only.
            let before = old[path].flatMap(Self.value)
            let after = new[path].flatMap(Self.value)
            if before == nil && after == nil && old[path] != nil && new[path] != nil { continue }
            fields.append(FieldChange(path: name, before: before, after: after))
        }
        return fields
    }

    static func value(_ entry: FieldMap.Entry) -> JSONValue? {
        switch entry {
        case .value(let value): value
        case .object: .object([:])
        case .keyedArray: .array([])
        }
    }
}
