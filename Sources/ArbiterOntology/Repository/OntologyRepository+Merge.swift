import ArbiterCore
import ArbiterStore
import Foundation

extension OntologyRepository {
    /// The nearest common ancestor of two commits, or `nil` when they share none. Both histories are walked a level
    /// at a time, alternately, and the walk stops where they meet: the cost follows the distance to the ancestor,
    /// not the length of the history.
    public func mergeBase(organizationID: String, _ a: Commit, _ b: Commit) async throws -> Commit? {
        try await database.read { executor in
            if a.id == b.id { return a }
            var seen: [[String: Commit]] = [[a.id: a], [b.id: b]]
            var frontiers: [[Commit]] = [[a], [b]]
            var side = 0
            while !frontiers[0].isEmpty || !frontiers[1].isEmpty {
                var next: [Commit] = []
                for commit in frontiers[side] {
                    for parent in commit.parents where seen[side][parent] == nil {
                        guard let found = try await Self.commit(parent, organizationID: organizationID, on: executor) else { continue }
                        seen[side][parent] = found
                        if seen[1 - side][parent] != nil { return found }
                        next.append(found)
                    }
                }
                frontiers[side] = next
                side = 1 - side
            }
            return nil
        }
    }

    /// The three-way merge of `source` into `target` over their merge base, looking only at resources either side
    /// changed since it. The result's `changes` are what applying the merge changes on the target.
    public func merge(organizationID: String, source: Commit, into target: Commit) async throws -> (base: Commit, result: MergeResult) {
        guard let base = try await mergeBase(organizationID: organizationID, source, target) else {
            throw RepositoryError.noSuchReference("a common ancestor of \(source.id) and \(target.id)")
        }
        let ours = try await differences(organizationID: organizationID, from: base, to: target)
        let theirs = try await differences(organizationID: organizationID, from: base, to: source)
        var baseSnapshot = Snapshot()
        var oursSnapshot = Snapshot()
        var theirsSnapshot = Snapshot()
        let keys = Set(ours.keys).union(theirs.keys)
        for key in keys {
            let inBase = ours[key]?.before ?? theirs[key]?.before
            baseSnapshot[key] = inBase
            oursSnapshot[key] = ours[key].map { $0.after } ?? inBase
            theirsSnapshot[key] = theirs[key].map { $0.after } ?? inBase
        }
        let result = ThreeWayMerge.merge(
            base: baseSnapshot, ours: oursSnapshot, theirs: theirsSnapshot, changedOurs: Set(ours.keys), changedTheirs: Set(theirs.keys))
        // What the merge changes on the target: the merged resources that differ from the target's.
        let onTarget = result.changes.filter { key, document in oursSnapshot[key] != document }
        return (base, MergeResult(base: oursSnapshot, changes: onTarget, conflicts: result.conflicts))
    }
}
