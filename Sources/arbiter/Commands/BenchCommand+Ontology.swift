import ArbiterCore
import ArbiterOntology
import ArgumentParser
import Foundation

extension BenchCommand {
    /// Times the ontology's merge and diff with stores of different sizes and a fixed-size change.
    struct OntologyBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ontology",
            abstract: "Time three-way merges and diffs of two branches that each changed N object types, in stores of several sizes.",
            discussion: "Shows whether cost follows the size of the change (it should) or of the store (it should not).")

        @Option(help: "Store sizes (object types), comma-separated.") var sizes = "1000,10000"
        @Option(help: "Object types each branch changes.") var changed = 10
        @Option(help: "Timed repetitions.") var rounds = 200

        func run() async throws {
            print("types   changed  merge (known changes) µs  merge (full scan) µs  diff of changed µs")
            for size in sizes.split(separator: ",").compactMap({ Int($0) }) where size > changed * 2 {
                var base = Snapshot()
                for index in 0..<size {
                    base[ResourceKey(.objectTypes, "t\(index)")] = [
                        "id": .string("t\(index)"), "display_name": .string("Type \(index)"), "status": "active",
                        "properties": [
                            ["id": "key", "display_name": "Key", "data_type": "string", "primary_key": true, "required": true, "unique": true],
                            ["id": "name", "display_name": "Name", "data_type": "string"], ["id": "size", "display_name": "Size", "data_type": "integer"],
                        ],
                    ]
                }
                var ours = base
                var theirs = base
                var changedOurs = Set<ResourceKey>()
                var changedTheirs = Set<ResourceKey>()
                for index in 0..<changed {
                    let mine = ResourceKey(.objectTypes, "t\(index)")
                    let other = ResourceKey(.objectTypes, "t\(size - 1 - index)")
                    ours[mine] = Self.renamed(base[mine]!, "Ours \(index)")
                    theirs[other] = Self.renamed(base[other]!, "Theirs \(index)")
                    changedOurs.insert(mine)
                    changedTheirs.insert(other)
                }
                let known = Self.time(rounds) {
                    let result = ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs, changedOurs: changedOurs, changedTheirs: changedTheirs)
                    precondition(result.isClean)
                }
                let scanned = Self.time(max(5, rounds / 20)) { precondition(ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs).isClean) }
                let diff = Self.time(rounds) {
                    var old = Snapshot()
                    var new = Snapshot()
                    for key in changedOurs {
                        old[key] = base[key]
                        new[key] = ours[key]
                    }
                    precondition(SnapshotDiff(from: old, to: new).changes.count == changedOurs.count)
                }
                print(String(format: "%6d  %7d  %24.1f  %20.1f  %18.1f", size, changed, known, scanned, diff))
            }
        }

        static func renamed(_ document: JSONValue, _ name: String) -> JSONValue {
            guard case .object(var members) = document else { return document }
            members["display_name"] = .string(name)
            return .object(members)
        }

        /// Median microseconds of `rounds` runs.
        static func time(_ rounds: Int, _ body: () -> Void) -> Double {
            var samples: [Double] = []
            for _ in 0..<rounds {
                let start = ContinuousClock.now
                body()
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
            }
            return samples.sorted()[samples.count / 2]
        }
    }
}
