import ArbiterOntology
import Testing

@Suite("Resource tree")
struct ResourceTreeTests {
    static func key(_ index: Int) -> ResourceKey { ResourceKey(index % 3 == 0 ? .linkTypes : .objectTypes, "r\(index)") }

    @Test("random batches of changes agree with a dictionary: lookups, listings and differences (300 batches)")
    func model() async throws {
        var random = MergePropertyTests.SplitMix64(state: 77)
        let tree = ResourceTree(store: InMemoryTreeNodeStore())
        var model: [ResourceKey: String] = [:]
        var root: String?
        for batch in 0..<300 {
            var changes: [ResourceKey: String?] = [:]
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                let key = Self.key(Int.random(in: 0..<400, using: &random))
                changes.updateValue(Bool.random(using: &random) || model[key] == nil ? "doc-\(batch)-\(key.id)" : nil, forKey: key)
            }
            var expected = model
            for (key, document) in changes { expected[key] = document }
            let previous = root
            root = try await tree.applying(changes, to: root).root
            for _ in 0..<10 {
                let probe = Self.key(Int.random(in: 0..<400, using: &random))
                #expect(try await tree.lookup(probe, in: root) == expected[probe])
            }
            let differences = try await tree.differences(previous, root)
            let changed = Set(expected.keys).union(model.keys).filter { expected[$0] != model[$0] }
            #expect(Set(differences.keys) == changed)
            for key in changed { #expect(differences[key]?.old == model[key] && differences[key]?.new == expected[key]) }
            model = expected
        }
        #expect(try await tree.entries(root) == model)
    }

    @Test("equal contents give equal roots whatever the order of changes; removing everything gives the empty tree")
    func canonical() async throws {
        let tree = ResourceTree(store: InMemoryTreeNodeStore())
        var all: [ResourceKey: String?] = [:]
        for index in 0..<500 { all[Self.key(index)] = "d\(index)" }
        let oneGo = try await tree.applying(all, to: nil).root
        var stepwise: String?
        for start in stride(from: 499, through: 0, by: -50) {
            var batch: [ResourceKey: String?] = [:]
            for index in max(0, start - 49)...start { batch[Self.key(index)] = "d\(index)" }
            // Add noise that is removed again.
            batch[ResourceKey(.interfaces, "noise-\(start)")] = "x"
            stepwise = try await tree.applying(batch, to: stepwise).root
        }
        var cleanup: [ResourceKey: String?] = [:]
        for start in stride(from: 499, through: 0, by: -50) { cleanup.updateValue(nil, forKey: ResourceKey(.interfaces, "noise-\(start)")) }
        stepwise = try await tree.applying(cleanup, to: stepwise).root
        #expect(oneGo == stepwise)
        var removeAll: [ResourceKey: String?] = [:]
        for index in 0..<500 { removeAll.updateValue(nil, forKey: Self.key(index)) }
        #expect(try await tree.applying(removeAll, to: oneGo).root == nil)
    }

    @Test("a change of 10 resources in a tree of 10 000 writes a few dozen nodes, not thousands")
    func sharing() async throws {
        let nodes = InMemoryTreeNodeStore()
        let tree = ResourceTree(store: nodes)
        var all: [ResourceKey: String?] = [:]
        for index in 0..<10_000 { all[ResourceKey(.objectTypes, "t\(index)")] = "v1-\(index)" }
        let root = try await tree.applying(all, to: nil).root
        var change: [ResourceKey: String?] = [:]
        for index in stride(from: 0, to: 10_000, by: 1_000) { change[ResourceKey(.objectTypes, "t\(index)")] = "v2-\(index)" }
        let (next, written) = try await tree.applying(change, to: root)
        #expect(written <= 10 * 4)
        #expect(try await tree.lookup(ResourceKey(.objectTypes, "t5000"), in: next) == "v2-5000")
        #expect(try await tree.lookup(ResourceKey(.objectTypes, "t5000"), in: root) == "v1-5000")
        #expect(try await tree.differences(root, next).count == 10)
    }
}
