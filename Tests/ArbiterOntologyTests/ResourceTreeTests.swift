import Foundation
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

    /// Counts the reads that reach the store, as round trips to the database would be.
    final class CountingStore: TreeNodeStore, @unchecked Sendable {
        let base = InMemoryTreeNodeStore()
        var reads = 0
        func nodes(_ hashes: [String]) async throws -> [String: TreeNode] {
            reads += 1
            return try await base.nodes(hashes)
        }
        func put(_ nodes: [String: TreeNode]) async throws { try await base.put(nodes) }
    }

    @Test("reads follow the depth of the tree, not the size of the change or the store: 10 changes or 100, 1 000 types or 20 000")
    func batchedReads() async throws {
        var readsPerSize: [Int: [Int]] = [:]
        for size in [1_000, 20_000] {
            let store = CountingStore()
            let tree = ResourceTree(store: store)
            var all: [ResourceKey: String?] = [:]
            for index in 0..<size { all[ResourceKey(.objectTypes, "t\(index)")] = "v1-\(index)" }
            let root = try await tree.applying(all, to: nil).root
            for changes in [10, 100] {
                var change: [ResourceKey: String?] = [:]
                for index in stride(from: 0, to: size, by: size / changes) { change[ResourceKey(.objectTypes, "t\(index)")] = "v2-\(index)" }
                store.reads = 0
                let found = try await tree.lookup(change.keys, in: root)
                #expect(found.count == changes)
                #expect(found.allSatisfy { $0.value == "v1-\($0.key.id.dropFirst())" })
                let lookups = store.reads
                store.reads = 0
                let next = try await tree.applying(change, to: root).root
                let applies = store.reads
                store.reads = 0
                #expect(try await tree.differences(root, next).count == changes)
                readsPerSize[size, default: []] += [lookups, applies, store.reads]
            }
        }
        // A tree of 20 000 is 3 or 4 levels deep, of 1 000 two or three: one read per level for each operation.
        for (size, reads) in readsPerSize { #expect(reads.allSatisfy { $0 <= 5 }, "\(size): \(reads)") }
        // Absent keys are absent from a batch lookup; the empty tree has nothing.
        let tree = ResourceTree(store: InMemoryTreeNodeStore())
        let root = try await tree.applying([ResourceKey(.objectTypes, "a"): "x"], to: nil).root
        #expect(try await tree.lookup([ResourceKey(.objectTypes, "a"), ResourceKey(.objectTypes, "b")], in: root) == [ResourceKey(.objectTypes, "a"): "x"])
        #expect(try await tree.lookup([ResourceKey(.objectTypes, "a")], in: nil).isEmpty)
    }

    @Test("nodes are written byte for byte as JSONEncoder with sorted keys writes them, so their addresses never change")
    func canonicalEncoding() throws {
        var random = MergePropertyTests.SplitMix64(state: 4242)
        let alphabet = Array("abcxyz019-_/./\"\\\n\t\u{1}\u{1f}éü€😀 ".unicodeScalars)
        func text() -> String {
            String(String.UnicodeScalarView((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for _ in 0..<500 {
            var entries: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...40, using: &random) { entries["object-types/t\(Int.random(in: 0..<1000, using: &random))" + text()] = text() }
            let leaf = TreeNode.leaf(entries)
            #expect(leaf.canonicalJSON == Array(try encoder.encode(leaf)), "\(entries)")
            let branch = TreeNode.branch((0..<16).map { _ in Bool.random(using: &random) ? nil : text() })
            #expect(branch.canonicalJSON == Array(try encoder.encode(branch)))
            #expect(try JSONDecoder().decode(TreeNode.self, from: Data(leaf.canonicalJSON)) == leaf)
        }
    }

    @Test("the shared node cache answers repeated reads and stays within its bound")
    func nodeCache() {
        let cache = TreeNodeCache(capacity: 100)
        cache.insert(Dictionary(uniqueKeysWithValues: (0..<80).map { ("o/\($0)", TreeNode.leaf(["k": "\($0)"])) }))
        #expect(cache.get(["o/1", "o/79", "o/80"]).keys.sorted() == ["o/1", "o/79"])
        cache.insert(Dictionary(uniqueKeysWithValues: (80..<130).map { ("o/\($0)", TreeNode.leaf(["k": "\($0)"])) }))
        #expect(cache.count <= 100)
        // What was used last survives the trim.
        #expect(cache.get(["o/129"]).count == 1)
    }
}
