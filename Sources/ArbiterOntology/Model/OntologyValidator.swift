import ArbiterCore
import Foundation

/// One thing wrong with an ontology: where, and what to change.
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public let resource: ResourceKey
    /// The field, in the form `properties[salary].data_type`; empty for the whole resource.
    public let field: String
    public let message: String

    public var description: String { "\(resource)\(field.isEmpty ? "" : " \(field)"): \(message)" }
}

/// Checks a snapshot against the ontology's model. Every issue is reported, not only the first.
///
/// - Object types: `id`, `display_name`, optional `plural_display_name` and `description`, `status` (`active`,
///   `experimental`, `deprecated`), `properties`: each with `id`, `display_name`, `data_type`, and the flags
///   `required`, `primary_key`, `indexed`, `unique`, `array`, and `enum_values` (strings, for `string` properties).
///   Exactly one primary key, which must be required, unique and not an array.
/// - Link types: `id`, `display_name`, `source` and `target` (object type ids that exist), `cardinality`
///   (`one_to_one`, `one_to_many`, `many_to_many`), `direction` (`directed`, `bidirectional`).
/// - Shared properties: `id`, `display_name`, `data_type`.
/// - Interfaces: `id`, `display_name`, `properties` (shared property ids that exist), optional `extends`
///   (interface ids that exist, without cycles).
public enum OntologyValidator {
    public static let dataTypes: Set<String> = [
        "string", "integer", "long", "short", "byte", "float", "double", "decimal", "boolean", "date", "timestamp", "geopoint", "geoshape",
        "attachment", "vector", "marking",
    ]
    public static let statuses: Set<String> = ["active", "experimental", "deprecated"]
    public static let cardinalities: Set<String> = ["one_to_one", "one_to_many", "many_to_many"]
    public static let directions: Set<String> = ["directed", "bidirectional"]

    /// Issues with the resources in `keys` (all when `nil`), checked against the whole snapshot: a commit that
    /// changes ten types validates those ten and whatever links to them, not the whole store.
    public static func validate(_ snapshot: Snapshot, only keys: Set<ResourceKey>? = nil) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let targets = keys ?? Set(snapshot.resources.keys)
        for key in targets.sorted() {
            guard let document = snapshot[key] else { continue }
            var check = Checker(key: key, document: document)
            check.identity()
            switch key.kind {
            case .objectTypes: check.objectType()
            case .linkTypes: check.linkType(snapshot)
            case .sharedProperties: check.sharedProperty()
            case .interfaces: check.interface(snapshot)
            }
            issues += check.issues
        }
        return issues
    }

    /// Which kinds of resource can refer to a resource of `kind`: link types to object types, interfaces to shared
    /// properties and to other interfaces.
    public static func referrerKinds(of kind: ResourceKind) -> [ResourceKind] {
        switch kind {
        case .objectTypes: [.linkTypes]
        case .sharedProperties, .interfaces: [.interfaces]
        case .linkTypes: []
        }
    }

    /// Issues for the `referrers` (resources that stay as they are) that point at something in `deleted`: a change
    /// that removes an object type while a link type still uses it, say — as a merge does when one side deletes
    /// what the other side started to use.
    public static func dangling(referrers: [ResourceKey: JSONValue], deleted: Set<ResourceKey>) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (key, document) in referrers.sorted(by: { $0.key < $1.key }) where !deleted.contains(key) {
            var targets: [(field: String, target: ResourceKey)] = []
            switch key.kind {
            case .linkTypes:
                for end in ["source", "target"] {
                    if let id = document[end]?.stringValue { targets.append((end, ResourceKey(.objectTypes, id))) }
                }
            case .interfaces:
                if case .array(let items)? = document["properties"] {
                    targets += items.compactMap(\.stringValue).map { ("properties", ResourceKey(.sharedProperties, $0)) }
                }
                if case .array(let items)? = document["extends"] {
                    targets += items.compactMap(\.stringValue).map { ("extends", ResourceKey(.interfaces, $0)) }
                }
            case .objectTypes, .sharedProperties:
                break
            }
            for (field, target) in targets where deleted.contains(target) {
                issues.append(
                    ValidationIssue(
                        resource: key, field: field,
                        message: "refers to \(target), which this change deletes; change or delete \(key) as well, or keep \(target)"))
            }
        }
        return issues
    }

    /// Whether `id` is a usable identifier: 1 to 100 characters, a lowercase letter first, then lowercase letters,
    /// digits, `_` and `-`.
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, (1...100).contains(id.count), ("a"..."z").contains(first) else { return false }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    struct Checker {
        let key: ResourceKey
        let document: JSONValue
        var issues: [ValidationIssue] = []

        mutating func add(_ field: String, _ message: String) {
            issues.append(ValidationIssue(resource: key, field: field, message: message))
        }

        mutating func identity() {
            guard case .object = document else { return add("", "must be a JSON object") }
            if document["id"]?.stringValue != key.id { add("id", "must be \"\(key.id)\", the id in the path") }
            if !OntologyValidator.isValidID(key.id) {
                add("id", "must be 1 to 100 characters: a lowercase letter, then lowercase letters, digits, `_` or `-`")
            }
            requiredText("display_name", in: document, at: "display_name")
            for field in ["plural_display_name", "description"] { optionalText(field, in: document, at: field) }
        }

        mutating func requiredText(_ name: String, in object: JSONValue, at path: String, limit: Int = 200) {
            guard let text = object[name]?.stringValue else { return add(path, "is required: a string") }
            if text.trimmingCharacters(in: .whitespaces).isEmpty || text.count > limit { add(path, "must be 1 to \(limit) characters") }
        }

        mutating func optionalText(_ name: String, in object: JSONValue, at path: String, limit: Int = 2_000) {
            guard let value = object[name], value != .null else { return }
            guard let text = value.stringValue, text.count <= limit else { return add(path, "must be a string of at most \(limit) characters") }
        }

        mutating func choice(_ name: String, in object: JSONValue, at path: String, from choices: Set<String>, default fallback: String? = nil) {
            guard let value = object[name] else {
                if fallback == nil { add(path, "is required: one of \(choices.sorted().joined(separator: ", "))") }
                return
            }
            guard let text = value.stringValue, choices.contains(text) else {
                return add(path, "\(Self.show(value)) is not one of \(choices.sorted().joined(separator: ", "))")
            }
        }

        func flag(_ name: String, in object: JSONValue) -> Bool {
            if case .bool(let value) = object[name] { return value }
            return false
        }

        mutating func flags(_ names: [String], in object: JSONValue, at path: String) {
            for name in names {
                guard let value = object[name], value != .null else { continue }
                if case .bool = value { continue }
                add("\(path).\(name)", "must be true or false")
            }
        }

        static func show(_ value: JSONValue) -> String {
            if let text = value.stringValue { return "'\(text.prefix(60))'" }
            return String(decoding: Snapshot.canonical(value).prefix(60), as: UTF8.self)
        }

        mutating func objectType() {
            choice("status", in: document, at: "status", from: OntologyValidator.statuses, default: "active")
            guard case .array(let properties)? = document["properties"] else { return add("properties", "is required: an array of properties") }
            var ids = Set<String>()
            var primaryKeys: [String] = []
            for (index, property) in properties.enumerated() {
                let id = property["id"]?.stringValue
                let path = "properties[\(id ?? String(index))]"
                guard case .object = property else {
                    add(path, "must be an object")
                    continue
                }
                if let id {
                    if !OntologyValidator.isValidID(id) { add("\(path).id", "must be a lowercase letter, then lowercase letters, digits, `_` or `-`") }
                    if !ids.insert(id).inserted { add("\(path).id", "repeats; each property id appears once") }
                } else {
                    add("\(path).id", "is required: a string")
                }
                requiredText("display_name", in: property, at: "\(path).display_name")
                choice("data_type", in: property, at: "\(path).data_type", from: OntologyValidator.dataTypes)
                flags(["required", "primary_key", "indexed", "unique", "array"], in: property, at: path)
                if flag("primary_key", in: property) {
                    primaryKeys.append(id ?? String(index))
                    if !flag("required", in: property) { add("\(path).required", "must be true for the primary key") }
                    if !flag("unique", in: property) { add("\(path).unique", "must be true for the primary key") }
                    if flag("array", in: property) { add("\(path).array", "must be false for the primary key") }
                }
                if let values = property["enum_values"], values != .null {
                    guard case .array(let items) = values, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }),
                        Set(items.compactMap(\.stringValue)).count == items.count
                    else {
                        add("\(path).enum_values", "must be a non-empty array of distinct strings")
                        continue
                    }
                    if property["data_type"]?.stringValue != "string" { add("\(path).enum_values", "are only allowed on string properties") }
                }
            }
            switch primaryKeys.count {
            case 0: add("properties", "need exactly one primary key (`primary_key: true`); there is none")
            case 1: break
            default: add("properties", "need exactly one primary key; \(primaryKeys.joined(separator: " and ")) are both marked")
            }
        }

        mutating func linkType(_ snapshot: Snapshot) {
            for end in ["source", "target"] {
                guard let id = document[end]?.stringValue else {
                    add(end, "is required: the id of an object type")
                    continue
                }
                if snapshot[ResourceKey(.objectTypes, id)] == nil { add(end, "object type '\(id)' does not exist") }
            }
            choice("cardinality", in: document, at: "cardinality", from: OntologyValidator.cardinalities)
            choice("direction", in: document, at: "direction", from: OntologyValidator.directions, default: "directed")
        }

        mutating func sharedProperty() {
            choice("data_type", in: document, at: "data_type", from: OntologyValidator.dataTypes)
        }

        mutating func interface(_ snapshot: Snapshot) {
            if case .array(let items)? = document["properties"] {
                for item in items {
                    guard let id = item.stringValue else {
                        add("properties", "must list shared property ids (strings)")
                        continue
                    }
                    if snapshot[ResourceKey(.sharedProperties, id)] == nil { add("properties", "shared property '\(id)' does not exist") }
                }
            } else if document["properties"] != nil {
                add("properties", "must be an array of shared property ids")
            }
            guard let extends = document["extends"], extends != .null else { return }
            guard case .array(let parents) = extends else { return add("extends", "must be an array of interface ids") }
            for parent in parents {
                guard let id = parent.stringValue else { continue }
                if snapshot[ResourceKey(.interfaces, id)] == nil { add("extends", "interface '\(id)' does not exist") }
            }
            // Follow `extends` iteratively; meeting this interface again is a cycle.
            var seen = Set<String>()
            var stack = parents.compactMap(\.stringValue)
            while let id = stack.popLast() {
                if id == key.id { return add("extends", "forms a cycle back to '\(key.id)'") }
                guard seen.insert(id).inserted, case .array(let next)? = snapshot[ResourceKey(.interfaces, id)]?["extends"] else { continue }
                stack += next.compactMap(\.stringValue)
            }
        }
    }
}
