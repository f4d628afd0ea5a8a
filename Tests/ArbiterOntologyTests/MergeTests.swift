import ArbiterCore
import ArbiterOntology
import Foundation
import Testing

/// Documents for tests: object types with properties.
enum Fixture {
    static func property(_ id: String, _ type: String = "string", required: Bool = false) -> JSONValue {
        ["id": .string(id), "display_name": .string(id.capitalized), "data_type": .string(type), "required": .bool(required)]
    }

    static func objectType(_ id: String, name: String? = nil, properties: [JSONValue] = [], status: String = "active") -> JSONValue {
        ["id": .string(id), "display_name": .string(name ?? id.capitalized), "status": .string(status), "properties": .array(properties)]
    }

    static func key(_ id: String) -> ResourceKey { ResourceKey(.objectTypes, id) }

    static let base = Snapshot([
        key("employee"): objectType("employee", properties: [property("name"), property("salary", "double")]),
        key("team"): objectType("team", properties: [property("title")]),
    ])

    static func editing(_ snapshot: Snapshot, _ key: ResourceKey, _ edit: (inout [String: JSONValue]) -> Void) -> Snapshot {
        var copy = snapshot
        guard case .object(var members) = copy[key] else { return copy }
        edit(&members)
        copy[key] = .object(members)
        return copy
    }

    static func properties(_ document: JSONValue?) -> [String] {
        guard case .array(let items) = document?["properties"] else { return [] }
        return items.compactMap { $0["id"]?.stringValue }
    }
}

@Suite("Three-way merge")
struct MergeTests {
    @Test("changes to different fields and different properties of one resource merge cleanly")
    func disjointFields() {
        let ours = Fixture.editing(Fixture.base, Fixture.key("employee")) { $0["display_name"] = "Staff member" }
        let theirs = Fixture.editing(Fixture.base, Fixture.key("employee")) {
            $0["properties"] = .array([Fixture.property("name"), Fixture.property("salary", "double"), Fixture.property("email")])
        }
        let result = ThreeWayMerge.merge(base: Fixture.base, ours: ours, theirs: theirs)
        #expect(result.isClean)
        let employee = result.merged[Fixture.key("employee")]
        #expect(employee?["display_name"] == "Staff member")
        #expect(Fixture.properties(employee) == ["email", "name", "salary"])
    }

    @Test("the same field changed differently is modify/modify, naming the field and all three values")
    func modifyModify() throws {
        let ours = Fixture.editing(Fixture.base, Fixture.key("employee")) {
            $0["properties"] = .array([Fixture.property("name"), Fixture.property("salary", "decimal")])
        }
        let theirs = Fixture.editing(Fixture.base, Fixture.key("employee")) {
            $0["properties"] = .array([Fixture.property("name"), Fixture.property("salary", "integer")])
        }
        let result = ThreeWayMerge.merge(base: Fixture.base, ours: ours, theirs: theirs)
        let conflict = try #require(result.conflicts.first)
        #expect(result.conflicts.count == 1)
        #expect(conflict.kind == .modifyModify)
        #expect(conflict.resource == Fixture.key("employee"))
        #expect(conflict.field == "properties[salary].data_type")
        #expect(conflict.base == "double" && conflict.ours == "decimal" && conflict.theirs == "integer")
    }

    @Test("a resource deleted on one side and changed on the other is modify/delete; both ways round")
    func modifyDeleteResource() {
        var ours = Fixture.base
        ours[Fixture.key("team")] = nil
        let theirs = Fixture.editing(Fixture.base, Fixture.key("team")) { $0["status"] = "deprecated" }
        for (a, b) in [(ours, theirs), (theirs, ours)] {
            let result = ThreeWayMerge.merge(base: Fixture.base, ours: a, theirs: b)
            #expect(result.conflicts.map(\.kind) == [.modifyDelete])
            #expect(result.conflicts.first?.field == nil)
        }
    }

    @Test("a property removed on one side while the other changes or extends it is modify/delete on the property")
    func modifyDeleteField() {
        let ours = Fixture.editing(Fixture.base, Fixture.key("employee")) { $0["properties"] = .array([Fixture.property("name")]) }
        let changed = Fixture.editing(Fixture.base, Fixture.key("employee")) {
            $0["properties"] = .array([Fixture.property("name"), Fixture.property("salary", "decimal")])
        }
        var extended = Fixture.property("salary", "double")
        if case .object(var members) = extended {
            members["unit"] = "EUR"
            extended = .object(members)
        }
        let extendedSide = Fixture.editing(Fixture.base, Fixture.key("employee")) { $0["properties"] = .array([Fixture.property("name"), extended]) }
        for theirs in [changed, extendedSide] {
            let result = ThreeWayMerge.merge(base: Fixture.base, ours: ours, theirs: theirs)
            #expect(result.conflicts.count == 1)
            #expect(result.conflicts.first?.kind == .modifyDelete)
            #expect(result.conflicts.first?.field?.hasPrefix("properties[salary]") == true)
        }
    }

    @Test("the same resource added on both sides: identical merges, different content is add/add per field")
    func addAdd() {
        var ours = Fixture.base
        var theirs = Fixture.base
        ours[Fixture.key("office")] = Fixture.objectType("office", name: "Office")
        theirs[Fixture.key("office")] = Fixture.objectType("office", name: "Office")
        #expect(ThreeWayMerge.merge(base: Fixture.base, ours: ours, theirs: theirs).isClean)
        theirs[Fixture.key("office")] = Fixture.objectType("office", name: "Site")
        let result = ThreeWayMerge.merge(base: Fixture.base, ours: ours, theirs: theirs)
        #expect(result.conflicts.map(\.kind) == [.addAdd])
        #expect(result.conflicts.first?.field == "display_name")
    }

    @Test("a resource re-keyed on both sides to different ids is rename/rename; one side's rename carries the other's edits")
    func renames() {
        func renamed(_ snapshot: Snapshot, _ old: String, _ new: String) -> Snapshot {
            var copy = snapshot
            guard case .object(var members) = copy[Fixture.key(old)] else { return copy }
            copy[Fixture.key(old)] = nil
            members["id"] = .string(new)
            copy[Fixture.key(new)] = .object(members)
            return copy
        }
        let result = ThreeWayMerge.merge(base: Fixture.base, ours: renamed(Fixture.base, "team", "squad"), theirs: renamed(Fixture.base, "team", "crew"))
        #expect(result.conflicts.map(\.kind) == [.renameRename])
        #expect(result.conflicts.first?.ours == "squad" && result.conflicts.first?.theirs == "crew")

        let edited = Fixture.editing(Fixture.base, Fixture.key("team")) { $0["status"] = "experimental" }
        let carried = ThreeWayMerge.merge(base: Fixture.base, ours: renamed(Fixture.base, "team", "squad"), theirs: edited)
        #expect(carried.isClean)
        #expect(carried.merged[Fixture.key("team")] == nil)
        #expect(carried.merged[Fixture.key("squad")]?["status"] == "experimental")
        #expect(carried.merged[Fixture.key("squad")]?["id"] == "squad")
    }
}

/// Random snapshots and random edits, for properties every merge must have.
@Suite("Three-way merge properties")
struct MergePropertyTests {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let types = ["string", "integer", "double", "boolean", "date"]

    static func snapshot(_ random: inout SplitMix64) -> Snapshot {
        var snapshot = Snapshot()
        for index in 0..<Int.random(in: 1...6, using: &random) {
            let properties = (0..<Int.random(in: 0...4, using: &random)).map {
                Fixture.property("p\($0)", types.randomElement(using: &random)!, required: Bool.random(using: &random))
            }
            snapshot[Fixture.key("t\(index)")] = Fixture.objectType("t\(index)", properties: properties)
        }
        return snapshot
    }

    /// One random edit: change a field, add/remove/change a property, add/remove/rename a resource.
    static func edit(_ snapshot: Snapshot, _ random: inout SplitMix64) -> Snapshot {
        var copy = snapshot
        let keys = copy.resources.keys.sorted()
        guard let key = keys.randomElement(using: &random), case .object(var members) = copy[key] else { return copy }
        var properties: [JSONValue] = { if case .array(let items) = members["properties"] { return items } else { return [] } }()
        switch Int.random(in: 0..<7, using: &random) {
        case 0: members["display_name"] = .string("Name \(Int.random(in: 0..<3, using: &random))")
        case 1: members["status"] = .string(["active", "experimental", "deprecated"].randomElement(using: &random)!)
        case 2: properties.append(Fixture.property("n\(Int.random(in: 0..<3, using: &random))", types.randomElement(using: &random)!))
        case 3: if !properties.isEmpty { properties.remove(at: Int.random(in: 0..<properties.count, using: &random)) }
        case 4:
            if !properties.isEmpty {
                let index = Int.random(in: 0..<properties.count, using: &random)
                let id = properties[index]["id"]?.stringValue ?? "x"
                properties[index] = Fixture.property(id, types.randomElement(using: &random)!)
            }
        case 5:
            copy[key] = nil
            return copy
        default:
            copy[key] = nil
            members["id"] = .string("\(key.id)-r\(Int.random(in: 0..<2, using: &random))")
            members["properties"] = .array(properties)
            copy[ResourceKey(.objectTypes, members["id"]!.stringValue!)] = .object(members)
            return copy
        }
        var seen = Set<String>()
        members["properties"] = .array(properties.filter { seen.insert($0["id"]?.stringValue ?? "").inserted })
        copy[key] = .object(members)
        return copy
    }

    static func edits(_ snapshot: Snapshot, _ count: Int, _ random: inout SplitMix64) -> Snapshot {
        var result = snapshot
        for _ in 0..<count { result = edit(result, &random) }
        return result
    }

    /// Snapshots compare after a round trip through the field map, which orders keyed arrays by id.
    static func normalized(_ snapshot: Snapshot) -> Snapshot {
        ThreeWayMerge.merge(base: snapshot, ours: snapshot, theirs: Snapshot(snapshot.resources)).merged
    }

    @Test("merging a side with itself, or with the base, gives that side with no conflicts (2 000 cases)")
    func identities() {
        var random = SplitMix64(state: 61)
        for _ in 0..<2_000 {
            let base = Self.snapshot(&random)
            let side = Self.edits(base, Int.random(in: 0...4, using: &random), &random)
            for result in [
                ThreeWayMerge.merge(base: base, ours: side, theirs: side), ThreeWayMerge.merge(base: base, ours: side, theirs: base),
                ThreeWayMerge.merge(base: base, ours: base, theirs: side),
            ] {
                #expect(result.isClean)
                #expect(result.merged == side)
            }
        }
    }

    @Test("swapping the sides finds the same conflicts, and a clean merge gives the same snapshot (2 000 cases)")
    func symmetry() {
        var random = SplitMix64(state: 62)
        for _ in 0..<2_000 {
            let base = Self.snapshot(&random)
            let ours = Self.edits(base, Int.random(in: 1...3, using: &random), &random)
            let theirs = Self.edits(base, Int.random(in: 1...3, using: &random), &random)
            let forward = ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs)
            let backward = ThreeWayMerge.merge(base: base, ours: theirs, theirs: ours)
            #expect(forward.conflicts.map { "\($0.resource) \($0.field ?? "") \($0.kind)" } == backward.conflicts.map { "\($0.resource) \($0.field ?? "") \($0.kind)" })
            if forward.isClean { #expect(forward.merged == backward.merged) }
        }
    }

    @Test("edits to different resources never conflict, and the merge holds both (2 000 cases)")
    func disjoint() {
        var random = SplitMix64(state: 63)
        for _ in 0..<2_000 {
            var base = Self.snapshot(&random)
            base[Fixture.key("ours-only")] = Fixture.objectType("ours-only", properties: [Fixture.property("a")])
            base[Fixture.key("theirs-only")] = Fixture.objectType("theirs-only", properties: [Fixture.property("b")])
            let ours = Fixture.editing(base, Fixture.key("ours-only")) { $0["status"] = "deprecated" }
            let theirs = Fixture.editing(base, Fixture.key("theirs-only")) { $0["properties"] = .array([Fixture.property("b"), Fixture.property("c")]) }
            let result = ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs)
            #expect(result.isClean)
            #expect(result.merged[Fixture.key("ours-only")]?["status"] == "deprecated")
            #expect(Fixture.properties(result.merged[Fixture.key("theirs-only")]) == ["b", "c"])
        }
    }

    @Test("a clean merge keeps every change that only one side made (2 000 cases)")
    func keepsBoth() {
        var random = SplitMix64(state: 64)
        var clean = 0
        for _ in 0..<2_000 {
            let base = Self.snapshot(&random)
            let ours = Self.edits(base, Int.random(in: 1...2, using: &random), &random)
            let theirs = Self.edits(base, Int.random(in: 1...2, using: &random), &random)
            let result = ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs)
            guard result.isClean else { continue }
            clean += 1
            // Every base resource one side changed and the other left alone is in the merge exactly as that side has it
            // (re-keyed resources are left out: a rename carries the other side's edits, by design).
            let renamed = Set(base.resources.keys.filter { key in
                [ours, theirs].contains { side in side[key] == nil && side.resources.keys.contains { $0.id.hasPrefix(key.id + "-r") } }
            })
            for key in base.resources.keys where !renamed.contains(key) {
                if ours[key] != base[key] && theirs[key] == base[key] { #expect(result.merged[key] == ours[key]) }
                if theirs[key] != base[key] && ours[key] == base[key] { #expect(result.merged[key] == theirs[key]) }
            }
        }
        #expect(clean > 200)
    }
}
