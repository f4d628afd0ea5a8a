import Synchronization

/// An in-process cache of model answers: least recently used entries go first when either bound (entries, bytes)
/// is reached, and entries older than the time to live are never returned.
public final class ResponseCache: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var entries = 0
        public var bytes = 0
        public var evictions = 0
    }

    private struct Node {
        var key: String
        var value: String
        var storedAt: ContinuousClock.Instant
        var size: Int
        var newer: Int?
        var older: Int?
    }

    /// A doubly linked list over array slots, newest at `head`: O(1) lookup, touch, insert and eviction.
    private struct Storage {
        var nodes: [Node] = []
        var free: [Int] = []
        var index: [String: Int] = [:]
        var head: Int?
        var tail: Int?
        var statistics = Statistics()

        mutating func unlink(_ slot: Int) {
            let node = nodes[slot]
            if let newer = node.newer { nodes[newer].older = node.older } else { head = node.older }
            if let older = node.older { nodes[older].newer = node.newer } else { tail = node.newer }
            nodes[slot].newer = nil
            nodes[slot].older = nil
        }

        mutating func pushFront(_ slot: Int) {
            nodes[slot].older = head
            nodes[slot].newer = nil
            if let head { nodes[head].newer = slot }
            head = slot
            if tail == nil { tail = slot }
        }

        mutating func remove(_ slot: Int) {
            unlink(slot)
            index[nodes[slot].key] = nil
            statistics.entries -= 1
            statistics.bytes -= nodes[slot].size
            nodes[slot].key = ""
            nodes[slot].value = ""
            free.append(slot)
        }
    }

    public let maxEntries: Int
    public let maxBytes: Int
    public let ttl: Duration
    private let time: any TimeSource
    private let storage = Mutex(Storage())

    public init(maxEntries: Int, maxBytes: Int, ttl: Duration, time: any TimeSource = SystemTimeSource()) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
        self.ttl = ttl
        self.time = time
    }

    public var statistics: Statistics { storage.withLock { $0.statistics } }

    /// The value stored for `key`, unless it has expired.
    public func value(for key: String) -> String? {
        let now = time.now()
        return storage.withLock { storage in
            guard let slot = storage.index[key] else {
                storage.statistics.misses += 1
                return nil
            }
            guard now - storage.nodes[slot].storedAt < ttl else {
                storage.remove(slot)
                storage.statistics.misses += 1
                return nil
            }
            storage.unlink(slot)
            storage.pushFront(slot)
            storage.statistics.hits += 1
            return storage.nodes[slot].value
        }
    }

    /// Stores `value`, evicting the least recently used entries until both bounds hold. A value larger than the
    /// byte bound is not stored.
    public func insert(_ value: String, for key: String) {
        let size = key.utf8.count + value.utf8.count
        let now = time.now()
        storage.withLock { storage in
            if let slot = storage.index[key] { storage.remove(slot) }
            guard size <= maxBytes else { return }
            while let tail = storage.tail, storage.statistics.entries >= maxEntries || storage.statistics.bytes + size > maxBytes {
                storage.remove(tail)
                storage.statistics.evictions += 1
            }
            let node = Node(key: key, value: value, storedAt: now, size: size)
            let slot: Int
            if let reused = storage.free.popLast() {
                storage.nodes[reused] = node
                slot = reused
            } else {
                storage.nodes.append(node)
                slot = storage.nodes.count - 1
            }
            storage.index[key] = slot
            storage.pushFront(slot)
            storage.statistics.entries += 1
            storage.statistics.bytes += size
        }
    }
}
