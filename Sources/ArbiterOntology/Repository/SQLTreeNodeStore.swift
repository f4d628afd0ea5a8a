import ArbiterStore
import Foundation

/// Tree nodes of one organization, read and written on one executor (inside the caller's transaction).
struct SQLTreeNodeStore: TreeNodeStore {
    let executor: any SQLExecutor
    let organizationID: String
    /// Nodes read before, by `organization/hash`; consulted first and filled with what is read here.
    var cache: TreeNodeCache?

    func nodes(_ hashes: [String]) async throws -> [String: TreeNode] {
        guard !hashes.isEmpty else { return [:] }
        var nodes = cache.map { cache in cache.get(hashes.map { "\(organizationID)/\($0)" }) } ?? [:]
        if !nodes.isEmpty {
            nodes = Dictionary(uniqueKeysWithValues: nodes.map { (String($0.key.dropFirst(organizationID.count + 1)), $0.value) })
        }
        let missing = Array(Set(hashes.filter { nodes[$0] == nil }))
        guard !missing.isEmpty else { return nodes }
        let rows = try await executor.query(
            "SELECT hash, body FROM ontology_tree_nodes WHERE organization_id = \(organizationID) AND hash IN (\(list: missing))")
        var fetched: [String: TreeNode] = [:]
        let decoder = JSONDecoder()
        for row in rows {
            let body: String = try row.decode("body")
            fetched[try row.decode("hash")] = try decoder.decode(TreeNode.self, from: Data(body.utf8))
        }
        cache?.insert(Dictionary(uniqueKeysWithValues: fetched.map { ("\(organizationID)/\($0.key)", $0.value) }))
        return nodes.merging(fetched) { first, _ in first }
    }

    func put(_ nodes: [String: TreeNode]) async throws {
        // One statement per 200 nodes instead of one per node: a commit's round trips follow its size in batches.
        let rows = nodes.sorted { $0.key < $1.key }.map { ($0.key, String(decoding: $0.value.canonicalJSON, as: UTF8.self)) }
        for start in stride(from: 0, to: rows.count, by: 200) {
            var values: SQLQuery = ""
            for (index, (hash, body)) in rows[start..<min(start + 200, rows.count)].enumerated() {
                values = index == 0 ? "(\(organizationID), \(hash), \(body))" : "\(values), (\(organizationID), \(hash), \(body))"
            }
            try await executor.query(
                "INSERT INTO ontology_tree_nodes (organization_id, hash, body) VALUES \(values) ON CONFLICT (organization_id, hash) DO NOTHING")
        }
    }
}
