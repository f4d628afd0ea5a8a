import ArbiterCore

/// A place where both sides changed the same thing differently.
public struct MergeConflict: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Both sides changed a field to different values.
        case modifyModify = "modify/modify"
        /// One side changed what the other deleted.
        case modifyDelete = "modify/delete"
        /// Both sides added the same resource or field with different content.
        case addAdd = "add/add"
        /// Both sides renamed (re-keyed) the same resource to different ids.
        case renameRename = "rename/rename"
    }

    public let resource: ResourceKey
    /// The field, or `nil` for the whole resource.
    public let field: String?
    public let kind: Kind
    public let base: JSONValue?
    public let ours: JSONValue?
    public let theirs: JSONValue?
}

/// The result of merging two snapshots that share a base.
public struct MergeResult: Sendable, Equatable {
    let base: Snapshot
    /// What the merge changes relative to the base: a document, or `nil` for a removed resource.
    public let changes: [ResourceKey: JSONValue?]
    /// In resource and field order; empty when the merge is clean.
    public let conflicts: [MergeConflict]
    public var isClean: Bool { conflicts.isEmpty }

    /// The merged snapshot; where there are conflicts it holds "ours" for the conflicting parts. Building it copies
    /// the base; a store applies ``changes`` instead.
    public var merged: Snapshot {
        var snapshot = base
        for (key, document) in changes { snapshot[key] = document }
        return snapshot
    }
}

/// Three-way merge of ontology snapshots, field by field.
///
/// For every resource and every field: a change on one side only is taken; the same change on both sides is taken
/// once; different changes are a conflict. A resource that one side re-keyed (deleted, and added again under a new
/// id with the same content) is a rename: renames on both sides to different ids conflict, a rename on one side and
/// edits on the other are applied to the renamed resource. Costs in proportion to the resources that changed.
public enum ThreeWayMerge {
    public static func merge(base: Snapshot, ours: Snapshot, theirs: Snapshot) -> MergeResult {
        merge(base: base, ours: ours, theirs: theirs, changedOurs: changedKeys(base, ours), changedTheirs: changedKeys(base, theirs))
    }

    /// The same, when the caller already knows which resources each side changed since the base (a store keeps
    /// that per commit): the work is then proportional to those changes, not to the size of the snapshots.
    public static func merge(
        base: Snapshot, ours: Snapshot, theirs: Snapshot, changedOurs: Set<ResourceKey>, changedTheirs: Set<ResourceKey>
    ) -> MergeResult {
        // Only what changes is collected, so the work follows the size of the change, not of the base.
        var changes: [ResourceKey: JSONValue?] = [:]
        func set(_ key: ResourceKey, _ document: JSONValue?) { changes.updateValue(document, forKey: key) }
        var conflicts: [MergeConflict] = []
        let renamesOurs = renames(base, ours, changed: changedOurs)
        let renamesTheirs = renames(base, theirs, changed: changedTheirs)
        var handled = Set<ResourceKey>()

        // Renames first: they decide under which key edits land.
        for (old, new) in renamesOurs.sorted(by: { $0.key < $1.key }) {
            handled.insert(old)
            handled.insert(new)
            if let theirsNew = renamesTheirs[old] {
                handled.insert(theirsNew)
                if theirsNew == new {
                    set(old, nil)
                    set(new, ours[new])
                } else {
                    conflicts.append(
                        MergeConflict(
                            resource: old, field: "id", kind: .renameRename, base: .string(old.id), ours: .string(new.id), theirs: .string(theirsNew.id)))
                    set(old, nil)
                    set(new, ours[new])
                }
                continue
            }
            // Ours renamed; theirs may have edited or deleted the old resource.
            set(old, nil)
            let edited = mergeResource(
                key: new, base: base[old].map { reKeyed($0, to: new.id) }, ours: ours[new], theirs: theirs[old].map { reKeyed($0, to: new.id) },
                reportAs: old)
            set(new, edited.document)
            conflicts += edited.conflicts
        }
        for (old, new) in renamesTheirs.sorted(by: { $0.key < $1.key }) where !handled.contains(old) {
            handled.insert(old)
            handled.insert(new)
            set(old, nil)
            let edited = mergeResource(
                key: new, base: base[old].map { reKeyed($0, to: new.id) }, ours: ours[old].map { reKeyed($0, to: new.id) }, theirs: theirs[new],
                reportAs: old)
            set(new, edited.document)
            conflicts += edited.conflicts
        }
        for key in changedOurs.union(changedTheirs).sorted() where !handled.contains(key) {
            let result = mergeResource(key: key, base: base[key], ours: ours[key], theirs: theirs[key], reportAs: key)
            set(key, result.document)
            conflicts += result.conflicts
        }
        conflicts.sort { ($0.resource, $0.field ?? "") < ($1.resource, $1.field ?? "") }
        return MergeResult(base: base, changes: changes, conflicts: conflicts)
    }

    /// Keys whose document differs between `base` and `side`.
    public static func changedKeys(_ base: Snapshot, _ side: Snapshot) -> Set<ResourceKey> {
        var keys = Set<ResourceKey>()
        for (key, document) in side.resources where base[key] != document { keys.insert(key) }
        for key in base.resources.keys where side[key] == nil { keys.insert(key) }
        return keys
    }

    /// Resources `side` re-keyed: removed from `base`, and added under a new id of the same kind with otherwise
    /// identical content.
    static func renames(_ base: Snapshot, _ side: Snapshot, changed: Set<ResourceKey>) -> [ResourceKey: ResourceKey] {
        let removed = changed.filter { base[$0] != nil && side[$0] == nil }
        let added = changed.filter { base[$0] == nil && side[$0] != nil }
        guard !removed.isEmpty, !added.isEmpty else { return [:] }
        var byContent: [String: [ResourceKey]] = [:]
        for key in added { byContent["\(key.kind.rawValue)\u{0}\(Snapshot.hash(withoutID(side[key]!)))", default: []].append(key) }
        var renames: [ResourceKey: ResourceKey] = [:]
        for key in removed.sorted() {
            let content = "\(key.kind.rawValue)\u{0}\(Snapshot.hash(withoutID(base[key]!)))"
            if let candidates = byContent[content], candidates.count == 1 { renames[key] = candidates[0] }
        }
        // Two removed resources with the same content cannot both claim one added resource.
        let claimed = Dictionary(grouping: renames, by: \.value)
        return renames.filter { claimed[$0.value]?.count == 1 }
    }

    static func withoutID(_ document: JSONValue) -> JSONValue {
        guard case .object(var members) = document else { return document }
        members["id"] = nil
        return .object(members)
    }

    static func reKeyed(_ document: JSONValue, to id: String) -> JSONValue {
        guard case .object(var members) = document else { return document }
        if members["id"] != nil { members["id"] = .string(id) }
        return .object(members)
    }

    /// Merges one resource's three versions.
    static func mergeResource(
        key: ResourceKey, base: JSONValue?, ours: JSONValue?, theirs: JSONValue?, reportAs: ResourceKey
    ) -> (document: JSONValue?, conflicts: [MergeConflict]) {
        if ours == theirs { return (ours, []) }
        if ours == base { return (theirs, []) }
        if theirs == base { return (ours, []) }
        switch (base, ours, theirs) {
        case (nil, let ours?, let theirs?):
            // Added on both sides: merge field by field against an empty base, conflicts are add/add.
            return mergeFields(key: reportAs, base: nil, ours: ours, theirs: theirs)
        case (let base?, nil, let theirs?):
            return (nil, [MergeConflict(resource: reportAs, field: nil, kind: .modifyDelete, base: base, ours: nil, theirs: theirs)])
        case (let base?, let ours?, nil):
            return (ours, [MergeConflict(resource: reportAs, field: nil, kind: .modifyDelete, base: base, ours: ours, theirs: nil)])
        case (let base?, let ours?, let theirs?):
            return mergeFields(key: reportAs, base: base, ours: ours, theirs: theirs)
        default:
            return (ours, [])
        }
    }

    static func mergeFields(key: ResourceKey, base: JSONValue?, ours: JSONValue, theirs: JSONValue) -> (document: JSONValue?, conflicts: [MergeConflict]) {
        let b = base.map { FieldMap(flattening: $0).entries } ?? [:]
        let o = FieldMap(flattening: ours).entries
        let t = FieldMap(flattening: theirs).entries
        var merged = o
        var conflicts: [MergeConflict] = []
        for (_, path) in Set(b.keys).union(o.keys).union(t.keys).map({ ($0.description, $0) }).sorted(by: { $0.0 < $1.0 }) {
            let (inBase, inOurs, inTheirs) = (b[path], o[path], t[path])
            if inOurs == inTheirs { continue }
            if inOurs == inBase {
                merged[path] = inTheirs
                continue
            }
            if inTheirs == inBase { continue }
            let kind: MergeConflict.Kind = inBase == nil ? .addAdd : (inOurs == nil || inTheirs == nil ? .modifyDelete : .modifyModify)
            conflicts.append(
                MergeConflict(
                    resource: key, field: path.description, kind: kind, base: inBase.flatMap(SnapshotDiff.value),
                    ours: inOurs.flatMap(SnapshotDiff.value), theirs: inTheirs.flatMap(SnapshotDiff.value)))
        }
        // A field one side added or changed under a container the other side removed: the removal wins in the
        // merged document and the pair is a modify/delete conflict on the container.
        var reported = Set<FieldPath>()
        for path in merged.keys.sorted(by: { $0.segments.count < $1.segments.count }) where merged[path] != nil {
            guard let parent = path.parent, merged[parent] == nil else { continue }
            merged[path] = nil
            var container = parent
            while let above = container.parent, merged[above] == nil { container = above }
            // One conflict per removed container, unless a field inside it already conflicts (so both orders of the
            // sides report the same conflicts).
            let name = container.description
            let inside = conflicts.contains { conflict in
                conflict.resource == key
                    && (conflict.field == name || conflict.field?.hasPrefix(name + ".") == true || conflict.field?.hasPrefix(name + "[") == true)
            }
            if reported.insert(container).inserted, !inside {
                conflicts.append(
                    MergeConflict(
                        resource: key, field: container.description, kind: .modifyDelete, base: b[container].flatMap(SnapshotDiff.value),
                        ours: o[container].flatMap(SnapshotDiff.value), theirs: t[container].flatMap(SnapshotDiff.value)))
            }
        }
        return (FieldMap(merged).document() ?? ours, conflicts)
    }
}
