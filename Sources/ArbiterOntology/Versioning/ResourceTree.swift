import Crypto
import Foundation
import Synchronization

/// A node of a ``ResourceTree``, stored under the SHA-256 of its canonical encoding.
public enum TreeNode: Sendable, Equatable, Codable {
    /// Up to ``ResourceTree/leafCapacity`` resources: resource key (`kind/id`) → document hash.
    case leaf([String: String])
    /// Sixteen children, by the next hex digit of the key's hash.
    case branch([String?])

    /// The node's address: SHA-256 of ``canonicalJSON``.
    public var hash: String { Self.hex(SHA256.hash(data: canonicalJSON)) }

    /// The node as `JSONEncoder` with `.sortedKeys` writes it (`{"leaf":{"_0":{…}}}`, `{"branch":{"_0":[…]}}`),
    /// written directly: committing encodes every new node, and Foundation's encoder was most of a commit's time.
    /// A test checks the bytes against `JSONEncoder` over random nodes, so addresses never change.
    public var canonicalJSON: [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .leaf(let entries):
            out.append(contentsOf: Array(#"{"leaf":{"_0":{"#.utf8))
            for (index, key) in entries.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                Self.appendString(entries[key]!, to: &out)
            }
            out.append(contentsOf: Array("}}}".utf8))
        case .branch(let children):
            out.append(contentsOf: Array(#"{"branch":{"_0":["#.utf8))
            for (index, child) in children.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                if let child { Self.appendString(child, to: &out) } else { out.append(contentsOf: Array("null".utf8)) }
            }
            out.append(contentsOf: Array("]}}".utf8))
        }
        return out
    }

    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "/"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "/")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                let digits = Array("0123456789abcdef".utf8)
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Tree nodes recently read from the database, shared by every operation of a process. Nodes are addressed by
/// their content, so a remembered node is never stale; only nodes read from committed data are remembered (not
/// ones a transaction writes, which could roll back). Bounded: the oldest half goes when it is full.
public final class TreeNodeCache: Sendable {
    private struct State {
        var nodes: [String: (node: TreeNode, tick: UInt64)] = [:]
        var tick: UInt64 = 0
    }
    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    public func get(_ keys: [String]) -> [String: TreeNode] {
        state.withLock { state in
            state.tick += 1
            var found: [String: TreeNode] = [:]
            for key in keys {
                guard let entry = state.nodes[key] else { continue }
                found[key] = entry.node
                state.nodes[key] = (entry.node, state.tick)
            }
            return found
        }
    }

    public func insert(_ nodes: [String: TreeNode]) {
        state.withLock { state in
            state.tick += 1
            for (key, node) in nodes { state.nodes[key] = (node, state.tick) }
            if state.nodes.count > capacity {
                let cutoff = state.nodes.values.map(\.tick).sorted()[state.nodes.count / 2]
                state.nodes = state.nodes.filter { $0.value.tick > cutoff }
            }
        }
    }

    public var count: Int { state.withLock { $0.nodes.count } }
}

/// Where tree nodes live: the database for the store, a dictionary in tests.
public protocol TreeNodeStore: Sendable {
    func nodes(_ hashes: [String]) async throws -> [String: TreeNode]
    func put(_ nodes: [String: TreeNode]) async throws
}

/// A tree nodes store in memory.
public final class InMemoryTreeNodeStore: TreeNodeStore {
    private let storage = Mutex<[String: TreeNode]>([:])

    public init() {}

    public var count: Int { storage.withLock { $0.count } }

    public func nodes(_ hashes: [String]) async throws -> [String: TreeNode] {
        storage.withLock { storage in hashes.reduce(into: [:]) { $0[$1] = storage[$1] } }
    }

    public func put(_ nodes: [String: TreeNode]) async throws {
        storage.withLock { $0.merge(nodes) { first, _ in first } }
    }
}

/// Remembers every node it has read or been given, in front of another store, for the length of one operation.
/// Nodes are immutable (addressed by their hash), so a remembered node never goes stale.
final class CachingTreeNodeStore: TreeNodeStore {
    let base: any TreeNodeStore
    private let cache = Mutex<[String: TreeNode]>([:])

    init(_ base: any TreeNodeStore) {
        self.base = base
    }

    func nodes(_ hashes: [String]) async throws -> [String: TreeNode] {
        var found: [String: TreeNode] = [:]
        let missing = cache.withLock { cache in
            hashes.filter { hash in
                guard let node = cache[hash] else { return true }
                found[hash] = node
                return false
            }
        }
        guard !missing.isEmpty else { return found }
        let fetched = try await base.nodes(Array(Set(missing)))
        cache.withLock { $0.merge(fetched) { first, _ in first } }
        return found.merging(fetched) { first, _ in first }
    }

    func put(_ nodes: [String: TreeNode]) async throws {
        try await base.put(nodes)
        cache.withLock { $0.merge(nodes) { first, _ in first } }
    }

    /// Every node read or written through this store.
    var remembered: [String: TreeNode] { cache.withLock { $0 } }
}

/// The resources of one commit as a persistent, content-addressed hash trie (like git's trees, keyed by hash).
///
/// A commit that changes k resources writes O(k · depth) new nodes and shares every other node with its parent;
/// reading one resource at any commit reads depth nodes; diffing two commits skips every subtree whose hash is
/// equal. Depth grows with log₁₆ of the store (3 at 10 000 resources), so none of these follow the store's size.
public struct ResourceTree: Sendable {
    public static let leafCapacity = 32
    public let store: any TreeNodeStore

    public init(store: any TreeNodeStore) {
        self.store = store
    }

    static func keyHash(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(key.utf8))).flatMap { [$0 >> 4, $0 & 0x0F] }
    }

    /// The document hashes of `keys` in the tree `root`, walking all their paths together: one read of the store
    /// per level of the tree, whatever the number of keys. Keys that are absent are missing from the result.
    public func lookup(_ keys: some Collection<ResourceKey>, in root: String?) async throws -> [ResourceKey: String] {
        guard let root else { return [:] }
        var found: [ResourceKey: String] = [:]
        var frontier: [String: [(key: ResourceKey, name: String, digits: [UInt8])]] = [
            root: keys.map { ($0, $0.description, Self.keyHash($0.description)) }
        ]
        var depth = 0
        while !frontier.isEmpty {
            let nodes = try await store.nodes(Array(frontier.keys))
            var next: [String: [(key: ResourceKey, name: String, digits: [UInt8])]] = [:]
            for (hash, items) in frontier {
                guard let node = nodes[hash] else { throw TreeError.missingNode(hash) }
                switch node {
                case .leaf(let entries):
                    for item in items { found[item.key] = entries[item.name] }
                case .branch(let children):
                    for item in items {
                        if let child = children[Int(item.digits[depth])] { next[child, default: []].append(item) }
                    }
                }
            }
            frontier = next
            depth += 1
        }
        return found
    }

    /// The document hash of `key` in the tree `root` (`nil` root: the empty tree).
    public func lookup(_ key: ResourceKey, in root: String?) async throws -> String? {
        let name = key.description
        let digits = Self.keyHash(name)
        var current = root
        var depth = 0
        while let hash = current {
            guard let node = try await store.nodes([hash])[hash] else { throw TreeError.missingNode(hash) }
            switch node {
            case .leaf(let entries): return entries[name]
            case .branch(let children):
                current = children[Int(digits[depth])]
                depth += 1
            }
        }
        return nil
    }

    /// The tree with `changes` applied (a document hash, or `nil` to remove), and the nodes that are new.
    ///
    /// The paths of all changed keys are read first, one level at a time, so the store is read once per level.
    public func applying(_ changes: [ResourceKey: String?], to root: String?) async throws -> (root: String?, written: Int) {
        let tree = store is CachingTreeNodeStore ? self : ResourceTree(store: CachingTreeNodeStore(store))
        _ = try await tree.lookup(changes.keys, in: root)
        var pending: [String: TreeNode] = [:]
        let items = changes.map { (name: $0.key.description, digits: Self.keyHash($0.key.description), document: $0.value) }
        let newRoot = try await tree.update(root, depth: 0, items, pending: &pending)
        try await tree.store.put(pending)
        return (newRoot, pending.count)
    }

    private func update(
        _ hash: String?, depth: Int, _ items: [(name: String, digits: [UInt8], document: String?)], pending: inout [String: TreeNode]
    ) async throws -> String? {
        let node: TreeNode
        if let hash {
            if let staged = pending[hash] {
                node = staged
            } else if let stored = try await store.nodes([hash])[hash] {
                node = stored
            } else {
                throw TreeError.missingNode(hash)
            }
        } else {
            node = .leaf([:])
        }
        switch node {
        case .leaf(var entries):
            for item in items { entries[item.name] = item.document }
            if entries.isEmpty { return nil }
            if entries.count <= Self.leafCapacity || depth >= 63 { return store(.leaf(entries), &pending) }
            // Too full: split by the next digit.
            var children = [String?](repeating: nil, count: 16)
            let all = entries.map { (name: $0.key, digits: Self.keyHash($0.key), document: Optional($0.value)) }
            for (digit, group) in Dictionary(grouping: all, by: { Int($0.digits[depth]) }) {
                children[digit] = try await update(nil, depth: depth + 1, group, pending: &pending)
            }
            return store(.branch(children), &pending)
        case .branch(var children):
            for (digit, group) in Dictionary(grouping: items, by: { Int($0.digits[depth]) }) {
                children[digit] = try await update(children[digit], depth: depth + 1, group, pending: &pending)
            }
            if children.allSatisfy({ $0 == nil }) { return nil }
            // Keep the shape canonical (a node is a leaf exactly when it holds at most `leafCapacity` resources), so equal
            // contents give equal hashes whatever the history. A child that is a branch holds more than that already.
            // Only removals can shrink a branch below that, so without one there is nothing to check.
            guard items.contains(where: { $0.document == nil }) else { return store(.branch(children), &pending) }
            let stored = try await store.nodes(children.compactMap { $0 }.filter { pending[$0] == nil })
            var gathered: [String: String] = [:]
            var collapsible = true
            for child in children.compactMap({ $0 }) where collapsible {
                let node = pending[child] ?? stored[child]
                guard case .leaf(let entries)? = node else {
                    collapsible = false
                    break
                }
                gathered.merge(entries) { first, _ in first }
                if gathered.count > Self.leafCapacity { collapsible = false }
            }
            if collapsible { return store(.leaf(gathered), &pending) }
            return store(.branch(children), &pending)
        }
    }

    private func store(_ node: TreeNode, _ pending: inout [String: TreeNode]) -> String {
        let hash = node.hash
        pending[hash] = node
        return hash
    }

    /// Keys whose document differs between two trees, with both document hashes; equal subtrees are skipped.
    public func differences(_ old: String?, _ new: String?) async throws -> [ResourceKey: (old: String?, new: String?)] {
        var result: [String: (old: String?, new: String?)] = [:]
        // Level by level: one read of the store for every pair of subtrees that differ at that level.
        var stack: [(String?, String?)] = [(old, new)]
        while !stack.isEmpty {
            let level = stack.filter { $0.0 != $0.1 }
            stack = []
            let nodes = try await store.nodes(Array(Set(level.flatMap { [$0.0, $0.1].compactMap { $0 } })))
            for (a, b) in level {
                let left = try a.map { hash -> TreeNode in guard let node = nodes[hash] else { throw TreeError.missingNode(hash) }; return node }
                let right = try b.map { hash -> TreeNode in guard let node = nodes[hash] else { throw TreeError.missingNode(hash) }; return node }
                switch (left, right) {
                case (.branch(let x)?, .branch(let y)?):
                    for digit in 0..<16 where x[digit] != y[digit] { stack.append((x[digit], y[digit])) }
                case (.branch(let x)?, let other), (let other, .branch(let x)?):
                    // A leaf (or nothing) against a branch: compare every entry below.
                    let flipped = left.map { if case .branch = $0 { return true } else { return false } } ?? false
                    let branchEntries = try await entries(under: x)
                    let otherEntries: [String: String] = { if case .leaf(let entries)? = other { return entries } else { return [:] } }()
                    for name in Set(branchEntries.keys).union(otherEntries.keys) where branchEntries[name] != otherEntries[name] {
                        result[name] = flipped ? (branchEntries[name], otherEntries[name]) : (otherEntries[name], branchEntries[name])
                    }
                default:
                    let x: [String: String] = { if case .leaf(let entries)? = left { return entries } else { return [:] } }()
                    let y: [String: String] = { if case .leaf(let entries)? = right { return entries } else { return [:] } }()
                    for name in Set(x.keys).union(y.keys) where x[name] != y[name] { result[name] = (x[name], y[name]) }
                }
            }
        }
        var keyed: [ResourceKey: (old: String?, new: String?)] = [:]
        for (name, pair) in result {
            guard let key = ResourceKey(name) else { continue }
            keyed[key] = pair
        }
        return keyed
    }

    /// Every entry of the tree: for listing, O(size).
    public func entries(_ root: String?) async throws -> [ResourceKey: String] {
        guard let root else { return [:] }
        return try await entries(under: [root]).reduce(into: [:]) { result, entry in
            if let key = ResourceKey(entry.key) { result[key] = entry.value }
        }
    }

    private func entries(under roots: [String?]) async throws -> [String: String] {
        var result: [String: String] = [:]
        var stack = roots.compactMap { $0 }
        while !stack.isEmpty {
            let batch = stack
            stack = []
            let nodes = try await store.nodes(batch)
            for hash in batch {
                guard let node = nodes[hash] else { throw TreeError.missingNode(hash) }
                switch node {
                case .leaf(let entries): result.merge(entries) { first, _ in first }
                case .branch(let children): stack += children.compactMap { $0 }
                }
            }
        }
        return result
    }
}

/// The node store lost a node a tree refers to.
public enum TreeError: Error, Sendable, Equatable {
    case missingNode(String)
}

extension ResourceKey {
    /// Parses `kind/id`.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"), let kind = ResourceKind(rawValue: String(text[..<slash])) else { return nil }
        self.init(kind, String(text[text.index(after: slash)...]))
    }
}
