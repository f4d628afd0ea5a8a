import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import Logging
import Synchronization

/// Builds a branch's search index in the background, the shadow way: the new generation is written beside the one
/// searched and switched to at once when complete.
///
/// The build takes an `indexing` lock on each resource type as it reaches it and keeps them until it has read the
/// last one, so the index it switches to is exactly the branch's head at that moment: a type it has read cannot change before
/// the switch, and one it has not reached yet is read as it is then. Until a type's turn comes it stays editable;
/// a writer who meets the lock gets `423` with the build's progress and expected end. One build per branch runs at
/// a time across every replica; a build whose replica died is taken over once its heartbeat is stale.
public final class SearchIndexService: Sendable {
    public let index: SearchIndexRepository
    let ontology: OntologyRepository
    let locks: LockRepository
    let clock: any WallClock
    let logger: Logger
    /// How long each indexing lock lives between heartbeats.
    let lockTTL: Duration
    /// A build without a heartbeat for this long is considered dead.
    let staleAfter: Duration
    /// How long a build waits for a resource type someone else has locked before it gives up.
    let lockWait: Duration
    private let running = Mutex<[String: Task<Void, Never>]>([:])

    static let holder = "system:search-index"

    public init(
        index: SearchIndexRepository, ontology: OntologyRepository, locks: LockRepository, clock: any WallClock, logger: Logger,
        lockTTL: Duration = .seconds(60), staleAfter: Duration = .seconds(120), lockWait: Duration = .seconds(30)
    ) {
        self.index = index
        self.ontology = ontology
        self.locks = locks
        self.clock = clock
        self.logger = logger
        self.lockTTL = lockTTL
        self.staleAfter = staleAfter
        self.lockWait = lockWait
    }

    /// Starts a rebuild of `branch` unless one is running; returns whether this call started it.
    @discardableResult
    public func rebuild(organizationID: String, branch: String) async throws -> Bool {
        guard let generation = try await index.begin(organizationID: organizationID, branch: branch, staleAfter: staleAfter) else { return false }
        let name = "\(organizationID)/\(branch)/\(generation)"
        // Registered under the lock it removes itself under, so it can never finish before it is registered.
        running.withLock { running in
            running[name] = Task { [self] in
                await build(organizationID: organizationID, branch: branch, generation: generation)
                _ = self.running.withLock { $0.removeValue(forKey: name) }
            }
        }
        return true
    }

    /// Waits for every build this process started; for tests and shutdown.
    public func waitForBuilds() async {
        for task in running.withLock({ Array($0.values) }) { await task.value }
    }

    /// Stops every build this process runs; their locks are released and their generations dropped.
    func cancelAll() async {
        let tasks = running.withLock { Array($0.values) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    private func build(organizationID: String, branch: String, generation: Int64) async {
        var held: [Lock] = []
        do {
            defer { logger.debug("search index build ended", metadata: ["branch": "\(branch)", "generation": "\(generation)"]) }
            let started = clock.now()
            guard let head = try await ontology.resolve(organizationID: organizationID, reference: branch) else {
                throw RepositoryError.noSuchBranch(branch)
            }
            // The size of each type at the start weighs its share of the progress.
            var sizes: [ResourceKind: Int] = [:]
            for key in try await ontology.keys(organizationID: organizationID, at: head) { sizes[key.kind, default: 0] += 1 }
            let total = max(1, sizes.values.reduce(0, +))
            var done = 0
            var entries = 0
            for kind in ResourceKind.allCases.sorted() {
                try Task.checkCancellation()
                held.append(try await acquire(organizationID: organizationID, scope: .resourceType(branch: branch, kind: kind)))
                // Read after the lock: from here on this type cannot change until the switch.
                guard let current = try await ontology.resolve(organizationID: organizationID, reference: branch) else {
                    throw RepositoryError.noSuchBranch(branch)
                }
                let documents = try await ontology.documents(organizationID: organizationID, kind: kind, at: current)
                let terms = documents.sorted { $0.key < $1.key }.flatMap { SearchIndexer.entries($0.key, $0.value) }
                for start in stride(from: 0, to: terms.count, by: 2_000) {
                    try Task.checkCancellation()
                    try await index.insert(
                        Array(terms[start..<min(start + 2_000, terms.count)]), organizationID: organizationID, branch: branch, generation: generation)
                }
                entries += terms.count
                done += sizes[kind] ?? documents.count
                try await report(organizationID: organizationID, branch: branch, generation: generation, done: done, total: total, since: started, held: &held)
            }
            // Every type is locked: the head cannot move in a way the index does not show.
            guard let final = try await ontology.resolve(organizationID: organizationID, reference: branch) else {
                throw RepositoryError.noSuchBranch(branch)
            }
            // The locks go first, so that whoever sees the index ready finds the branch editable; the index
            // records `final`, and a write from here on shows as a stale index.
            await release(held, organizationID: organizationID)
            held = []
            if try await index.activate(organizationID: organizationID, branch: branch, generation: generation, commit: final.id, entries: entries) {
                logger.info(
                    "search index switched",
                    metadata: ["branch": "\(branch)", "generation": "\(generation)", "commit": "\(final.id)", "entries": "\(entries)"])
            }
        } catch {
            let reason = error is CancellationError ? "the build was cancelled (the server is shutting down)" : "\(error)"
            logger.warning("search index build failed", metadata: ["branch": "\(branch)", "error": "\(reason)"])
            try? await index.fail(organizationID: organizationID, branch: branch, generation: generation, error: reason)
        }
        await release(held, organizationID: organizationID)
    }

    private func release(_ held: [Lock], organizationID: String) async {
        for lock in held {
            _ = try? await locks.release(organizationID: organizationID, id: lock.id, holder: Self.holder, fencingToken: lock.fencingToken)
        }
    }

    /// Takes an indexing lock, waiting (up to ``lockWait``) while someone else holds an overlapping one.
    private func acquire(organizationID: String, scope: LockScope) async throws -> Lock {
        let deadline = ContinuousClock.now + lockWait
        while true {
            do {
                return try await locks.acquire(
                    organizationID: organizationID, scope: scope, kind: .indexing, holder: Self.holder, ttl: lockTTL,
                    reason: "rebuilding the search index")
            } catch LockError.conflict(let other) where ContinuousClock.now < deadline {
                logger.debug("search index waits for a lock", metadata: ["lock": "\(other.id)", "scope": "\(other.scope)"])
                try await Task.sleep(for: .milliseconds(200))
            } catch LockError.conflict(let other) {
                throw SearchIndexError.blocked(other)
            }
        }
    }

    /// Records progress on the build and on every lock it holds (which also keeps them alive).
    private func report(
        organizationID: String, branch: String, generation: Int64, done: Int, total: Int, since started: Date, held: inout [Lock]
    ) async throws {
        let percent = min(99, done * 100 / total)
        let elapsed = clock.now().timeIntervalSince(started)
        let eta = done > 0 ? clock.now().addingTimeInterval(elapsed * Double(total - done) / Double(done)) : nil
        guard try await index.progress(organizationID: organizationID, branch: branch, generation: generation, percent: percent, estimatedCompletion: eta)
        else { throw SearchIndexError.supplanted }
        held = try await held.asyncMap { lock in
            try await locks.heartbeat(
                organizationID: organizationID, id: lock.id, holder: Self.holder, fencingToken: lock.fencingToken, ttl: lockTTL, progress: percent,
                estimatedCompletion: eta)
        }
    }
}

enum SearchIndexError: Error, CustomStringConvertible {
    /// Someone else's lock kept the build from a resource type.
    case blocked(Lock)
    /// Another replica took the build over.
    case supplanted

    var description: String {
        switch self {
        case .blocked(let lock): "\(lock.scope) is locked (\(lock.kind.rawValue), lock \(lock.id), held by \(lock.holder)); rebuild once it is released"
        case .supplanted: "another server took this build over"
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
