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
        for (hash, node) in nodes {
            let body = String(decoding: try encoder.encode(node), as: UTF8.self)
            try await executor.query(
                """
                INSERT INTO ontology_tree_nodes (organization_id, hash, body) VALUES (\(organizationID), \(hash), \(body))
                ON CONFLICT (organization_id, hash) DO NOTHING
                """)
        }
    }
}
