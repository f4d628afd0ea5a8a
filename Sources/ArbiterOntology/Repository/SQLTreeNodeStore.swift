import ArbiterStore
import Foundation

/// Tree nodes of one organization, read and written on one executor (inside the caller's transaction).
struct SQLTreeNodeStore: TreeNodeStore {
    let executor: any SQLExecutor
    let organizationID: String

    func nodes(_ hashes: [String]) async throws -> [String: TreeNode] {
        guard !hashes.isEmpty else { return [:] }
        let rows = try await executor.query(
            "SELECT hash, body FROM ontology_tree_nodes WHERE organization_id = \(organizationID) AND hash IN (\(list: hashes))")
        var nodes: [String: TreeNode] = [:]
        for row in rows {
            let body: String = try row.decode("body")
            nodes[try row.decode("hash")] = try JSONDecoder().decode(TreeNode.self, from: Data(body.utf8))
        }
        return nodes
    }

    func put(_ nodes: [String: TreeNode]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // One statement per 200 nodes instead of one per node: a commit's round trips follow its size in batches.
        let rows = try nodes.sorted { $0.key < $1.key }.map { ($0.key, String(decoding: try encoder.encode($0.value), as: UTF8.self)) }
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
