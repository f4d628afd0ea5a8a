import ArbiterCore
import ArbiterOntology
import ArbiterServer
import ArbiterStore
import ArgumentParser
import Foundation

extension BenchCommand {
    /// Times the ontology store and its locks on the configured database.
    struct OntologyStoreBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ontology-store",
            abstract: "Time reads at head and at an old commit, a 10-type commit, a merge of two 10-type branches, lock acquire+release, a search index rebuild and a search.",
            discussion: "Run with --database-url postgres://… to measure PostgreSQL; uses a throwaway organization in that database.")

        @Option(help: "Store sizes (object types), comma-separated.") var sizes = "1000,10000"
        @Option(help: "Timed repetitions of each operation.") var rounds = 200
        @OptionGroup var options: DatabaseCommandOptions

        func run() async throws {
            let (configuration, logger) = try options.prepare()
            let sizes = self.sizes.split(separator: ",").compactMap { Int($0) }
            let rounds = max(20, self.rounds)
            try await withDatabase(configuration, logger: logger) { database in
                try await Migrator(database: database).migrate()
                let clock = SystemWallClock()
                let repository = OntologyRepository(database: database, clock: clock)
                let locks = LockRepository(database: database, ids: UUIDv7Generator(), clock: clock)
                print("backend \(configuration.database.backendName); medians of \(rounds) runs, milliseconds")
                print(" types  read@head  read@old  commit 10  merge 10+10  lock acquire+release (p50 / p99)  SELECT 1 (p50)  index build  search")
                for size in sizes {
                    let organization = "bench-\(UUID().uuidString.prefix(8))"
                    try await database.transaction { executor in
                        try await executor.query("INSERT INTO organizations (id, name, created_at) VALUES (\(organization), \(organization), 0)")
                    }
                    try await repository.initialize(organizationID: organization, by: "bench")
                    var all: [ResourceKey: JSONValue?] = [:]
                    for index in 0..<size { all[ResourceKey(.objectTypes, "t\(index)")] = Self.type(index, "v1") }
                    let old = try await repository.commit(
                        organizationID: organization, branch: "main", changes: all, expectedHead: nil, author: "bench", message: "load", issueReferences: [])
                    var round = 0
                    // Each commit changes 10 types; the store keeps its size.
                    let commit = try await Self.median(rounds) {
                        round += 1
                        var change: [ResourceKey: JSONValue?] = [:]
                        for offset in 0..<10 { change[ResourceKey(.objectTypes, "t\((round * 10 + offset) % size)")] = Self.type(round, "r\(round)") }
                        _ = try await repository.commit(
                            organizationID: organization, branch: "main", changes: change, expectedHead: nil, author: "bench", message: "c\(round)",
                            issueReferences: [])
                    }
                    let head = try await repository.resolve(organizationID: organization, reference: "main")!
                    let readHead = try await Self.median(rounds) {
                        _ = try await repository.document(organizationID: organization, key: ResourceKey(.objectTypes, "t\(Int.random(in: 0..<size))"), at: head)
                    }
                    let readOld = try await Self.median(rounds) {
                        _ = try await repository.document(organizationID: organization, key: ResourceKey(.objectTypes, "t\(Int.random(in: 0..<size))"), at: old)
                    }
                    let merge = try await Self.median(max(20, rounds / 10)) {
                        let name = "b\(UUID().uuidString.prefix(8))"
                        _ = try await repository.createBranch(organizationID: organization, name: name, from: "main", by: "bench")
                        var ours: [ResourceKey: JSONValue?] = [:]
                        var theirs: [ResourceKey: JSONValue?] = [:]
                        for offset in 0..<10 {
                            ours[ResourceKey(.objectTypes, "t\(offset)")] = Self.type(offset, "ours-\(name)")
                            theirs[ResourceKey(.objectTypes, "t\(size - 1 - offset)")] = Self.type(offset, "theirs-\(name)")
                        }
                        let source = try await repository.commit(
                            organizationID: organization, branch: name, changes: theirs, expectedHead: nil, author: "bench", message: "theirs", issueReferences: [])
                        let target = try await repository.commit(
                            organizationID: organization, branch: "main", changes: ours, expectedHead: nil, author: "bench", message: "ours", issueReferences: [])
                        let (_, result) = try await repository.merge(organizationID: organization, source: source, into: target)
                        precondition(result.isClean)
                    }
                    var samples: [Double] = []
                    for index in 0..<(rounds + 20) {
                        let start = ContinuousClock.now
                        let lock = try await locks.acquire(
                            organizationID: organization, scope: .resource(branch: "main", key: ResourceKey(.objectTypes, "t\(index % size)")),
                            kind: .manual, holder: "bench", ttl: .seconds(60), reason: nil)
                        _ = try await locks.release(organizationID: organization, id: lock.id, holder: "bench", fencingToken: lock.fencingToken)
                        if index >= 20 { samples.append(Self.milliseconds(ContinuousClock.now - start)) }
                    }
                    samples.sort()
                    // A full rebuild of the search index (every type, under its indexing locks), then searches for one type's name.
                    let search = SearchIndexService(
                        index: SearchIndexRepository(database: database, clock: clock), ontology: repository, locks: locks, clock: clock,
                        logger: logger)
                    let buildStart = ContinuousClock.now
                    try await search.rebuild(organizationID: organization, branch: "main")
                    await search.waitForBuilds()
                    let build = Self.milliseconds(ContinuousClock.now - buildStart)
                    let searches = try await Self.median(rounds) {
                        _ = try await search.index.search(
                            organizationID: organization, branch: "main", prefix: "type \(Int.random(in: 0..<size)) ", field: nil, limit: 50)
                    }
                    // The floor: one trivial statement, as the lock's two statements each pay it.
                    var floor: [Double] = []
                    for index in 0..<(rounds + 20) {
                        let start = ContinuousClock.now
                        try await database.autocommit { executor in try await executor.query("SELECT 1 AS one") }
                        if index >= 20 { floor.append(Self.milliseconds(ContinuousClock.now - start)) }
                    }
                    floor.sort()
                    print(
                        String(
                            format: "%6d  %8.3f  %8.3f  %9.3f  %11.3f  %.3f / %.3f  %.3f  %10.0f  %8.3f", size, readHead, readOld, commit, merge, samples[samples.count / 2],
                            samples[min(samples.count - 1, samples.count * 99 / 100)], floor[floor.count / 2], build, searches))
                }
            }
        }

        static func type(_ index: Int, _ version: String) -> JSONValue {
            [
                "id": .string("t\(index)"), "display_name": .string("Type \(index) \(version)"),
                "properties": [["id": "key", "display_name": "Key", "data_type": "string", "primary_key": true, "required": true, "unique": true]],
            ]
        }

        static func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }

        static func median(_ rounds: Int, _ body: () async throws -> Void) async throws -> Double {
            var samples: [Double] = []
            for _ in 0..<rounds {
                let start = ContinuousClock.now
                try await body()
                samples.append(milliseconds(ContinuousClock.now - start))
            }
            return samples.sorted()[samples.count / 2]
        }
    }
}
