import ArbiterCore
import ArbiterStore
import Foundation

/// A branch: a name pointing at a commit.
public struct Branch: Sendable, Equatable {
    public let name: String
    public let head: String
    public let isProtected: Bool
    public let requiredApprovals: Int
    public let createdBy: String
    public let createdAt: Date
    public let updatedAt: Date
}

/// Why the repository refused.
public enum RepositoryError: Error, Sendable, Equatable {
    case branchExists(String)
    case noSuchBranch(String)
    case noSuchReference(String)
    /// The branch moved since the caller read it: the write was based on `expected`, the head is `current`.
    case staleHead(expected: String, current: String)
}

/// Branches and commits of an organization's ontology in the database. Every write is one transaction; a
/// commit writes only the documents and tree nodes its change needs, and moving a branch is checked against the
/// head the caller based its change on, so concurrent writers never lose an update silently.
public struct OntologyRepository: Sendable {
    public static let defaultBranch = "main"
    let database: any SQLDatabase
    let clock: any WallClock

    /// Tree nodes read before, shared by every operation of this repository.
    let nodeCache: TreeNodeCache

    public init(database: any SQLDatabase, clock: any WallClock = SystemWallClock(), nodeCache: TreeNodeCache = TreeNodeCache()) {
        self.database = database
        self.clock = clock
        self.nodeCache = nodeCache
    }

    /// Creates `main` with an empty first commit, unless the organization already has branches.
    @discardableResult
    public func initialize(organizationID: String, by author: String) async throws -> Branch {
        // Almost always there already: a read, so requests do not queue for SQLite's single writer.
        if let existing = try await branch(organizationID: organizationID, name: Self.defaultBranch) { return existing }
        let now = clock.now()
        return try await database.transaction { executor in
            if let existing = try await executor.first(
                "SELECT * FROM ontology_branches WHERE organization_id = \(organizationID) AND name = \(Self.defaultBranch)")
            {
                return try Self.branch(existing)
            }
            let root = Commit(tree: "", parents: [], author: author, message: "Create the ontology", createdAt: now.unixMilliseconds, issueReferences: [])
            try await Self.insert(root, changed: [], organizationID: organizationID, on: executor)
            try await executor.query(
                """
                INSERT INTO ontology_branches (organization_id, name, head, protected, required_approvals, created_by, created_at, updated_at)
                VALUES (\(organizationID), \(Self.defaultBranch), \(root.id), 0, 0, \(author), \(now), \(now))
                """)
            return Branch(
                name: Self.defaultBranch, head: root.id, isProtected: false, requiredApprovals: 0, createdBy: author, createdAt: now, updatedAt: now)
        }
    }

    public func branches(organizationID: String) async throws -> [Branch] {
        try await database.read { executor in
            try await executor.query("SELECT * FROM ontology_branches WHERE organization_id = \(organizationID) ORDER BY name LIMIT 1000").map(Self.branch)
        }
    }

    public func branch(organizationID: String, name: String) async throws -> Branch? {
        try await database.read { executor in
            try await executor.first("SELECT * FROM ontology_branches WHERE organization_id = \(organizationID) AND name = \(name)").map(Self.branch)
        }
    }

    /// Creates branch `name` at the commit `from` names (a branch, or a commit id).
    public func createBranch(organizationID: String, name: String, from reference: String, by author: String) async throws -> Branch {
        let now = clock.now()
        return try await database.transaction { executor in
            guard let start = try await Self.resolve(reference, organizationID: organizationID, on: executor) else {
                throw RepositoryError.noSuchReference(reference)
            }
            let inserted = try await executor.query(
                """
                INSERT INTO ontology_branches (organization_id, name, head, protected, required_approvals, created_by, created_at, updated_at)
                VALUES (\(organizationID), \(name), \(start.id), 0, 0, \(author), \(now), \(now))
                ON CONFLICT (organization_id, name) DO NOTHING RETURNING name
                """)
            guard !inserted.isEmpty else { throw RepositoryError.branchExists(name) }
            return Branch(name: name, head: start.id, isProtected: false, requiredApprovals: 0, createdBy: author, createdAt: now, updatedAt: now)
        }
    }

    /// Deletes a branch and its search index (its commits stay, reachable by id); `false` when there was none.
    public func deleteBranch(organizationID: String, name: String) async throws -> Bool {
        try await database.transaction { executor in
            try await executor.query("DELETE FROM ontology_search_entries WHERE organization_id = \(organizationID) AND branch = \(name)")
            try await executor.query("DELETE FROM ontology_search_indexes WHERE organization_id = \(organizationID) AND branch = \(name)")
            return try await !executor.query(
                "DELETE FROM ontology_branches WHERE organization_id = \(organizationID) AND name = \(name) RETURNING name"
            ).isEmpty
        }
    }

    /// Sets a branch's protection; `nil` when there is no such branch.
    public func protect(organizationID: String, name: String, isProtected: Bool, requiredApprovals: Int) async throws -> Branch? {
        let now = clock.now()
        return try await database.transaction { executor in
            try await executor.first(
                """
                UPDATE ontology_branches SET protected = \(isProtected ? 1 : 0), required_approvals = \(requiredApprovals), updated_at = \(now)
                WHERE organization_id = \(organizationID) AND name = \(name) RETURNING *
                """
            ).map(Self.branch)
        }
    }

    /// The commit a reference names: a branch's head, or a commit id.
    public func resolve(organizationID: String, reference: String) async throws -> Commit? {
        try await database.read { executor in try await Self.resolve(reference, organizationID: organizationID, on: executor) }
    }

    /// One resource at a commit; `nil` when it does not exist there.
    public func document(organizationID: String, key: ResourceKey, at commit: Commit) async throws -> JSONValue? {
        try await database.read { executor in
            let tree = ResourceTree(store: SQLTreeNodeStore(executor: executor, organizationID: organizationID, cache: nodeCache))
            guard let hash = try await tree.lookup(key, in: commit.tree.isEmpty ? nil : commit.tree) else { return nil }
            return try await Self.documents([hash], organizationID: organizationID, on: executor)[hash]
        }
    }

    /// Every resource key at a commit, without the documents.
    public func keys(organizationID: String, at commit: Commit) async throws -> [ResourceKey] {
        try await database.read { executor in
            let tree = ResourceTree(store: SQLTreeNodeStore(executor: executor, organizationID: organizationID, cache: nodeCache))
            return Array(try await tree.entries(commit.tree.isEmpty ? nil : commit.tree).keys)
        }
    }

    /// Every resource of `kind` at a commit, by id.
    public func documents(organizationID: String, kind: ResourceKind, at commit: Commit) async throws -> [ResourceKey: JSONValue] {
        try await database.read { executor in
            let tree = ResourceTree(store: SQLTreeNodeStore(executor: executor, organizationID: organizationID, cache: nodeCache))
            let entries = try await tree.entries(commit.tree.isEmpty ? nil : commit.tree).filter { $0.key.kind == kind }
            let bodies = try await Self.documents(Array(Set(entries.values)), organizationID: organizationID, on: executor)
            return entries.compactMapValues { bodies[$0] }
        }
    }

    /// Applies `changes` (a document, or `nil` to delete) to `branch` as one commit. With `expectedHead`, refuses
    /// with ``RepositoryError/staleHead(expected:current:)`` when the branch has moved on; a change that changes
    /// nothing returns the current head without a new commit. `alsoInTransaction` runs in the same transaction once
    /// the commit is written; throwing from it undoes the commit.
    public func commit(
        organizationID: String, branch name: String, changes: [ResourceKey: JSONValue?], expectedHead: String?, author: String, message: String,
        issueReferences: [String], mergedParent: String? = nil,
        alsoInTransaction: (@Sendable (any SQLExecutor, Commit) async throws -> Void)? = nil
    ) async throws -> Commit {
        let now = clock.now()
        let (result, nodes) = try await database.transaction { executor -> (Commit, [String: TreeNode]) in
            let lock: SQLQuery = executor.dialect == .postgres ? " FOR UPDATE" : ""
            guard
                let row = try await executor.first(
                    "SELECT head FROM ontology_branches WHERE organization_id = \(organizationID) AND name = \(name)\(lock)")
            else { throw RepositoryError.noSuchBranch(name) }
            let head: String = try row.decode("head")
            if let expectedHead, expectedHead != head { throw RepositoryError.staleHead(expected: expectedHead, current: head) }
            guard let parent = try await Self.commit(head, organizationID: organizationID, on: executor) else {
                throw RepositoryError.noSuchReference(head)
            }
            let nodes = CachingTreeNodeStore(SQLTreeNodeStore(executor: executor, organizationID: organizationID, cache: nodeCache))
            let tree = ResourceTree(store: nodes)
            var hashes: [ResourceKey: String?] = [:]
            var bodies: [String: String] = [:]
            for (key, document) in changes {
                guard let document else {
                    hashes.updateValue(nil, forKey: key)
                    continue
                }
                let hash = Snapshot.hash(document)
                bodies[hash] = String(decoding: Snapshot.canonical(document), as: UTF8.self)
                hashes[key] = hash
            }
            // Documents go in 200 to a statement.
            let rows = bodies.sorted { $0.key < $1.key }
            for start in stride(from: 0, to: rows.count, by: 200) {
                var values: SQLQuery = ""
                for (index, (hash, body)) in rows[start..<min(start + 200, rows.count)].enumerated() {
                    values = index == 0 ? "(\(organizationID), \(hash), \(body))" : "\(values), (\(organizationID), \(hash), \(body))"
                }
                try await executor.query(
                    "INSERT INTO ontology_documents (organization_id, hash, body) VALUES \(values) ON CONFLICT (organization_id, hash) DO NOTHING")
            }
            let oldRoot = parent.tree.isEmpty ? nil : parent.tree
            let current = try await tree.lookup(hashes.keys, in: oldRoot)
            let changed = hashes.compactMap { key, hash in current[key] != hash ? key.description : nil }
            guard !changed.isEmpty || mergedParent != nil else { return (parent, [:]) }
            let newRoot = try await tree.applying(hashes, to: oldRoot).root
            let commit = Commit(
                tree: newRoot ?? "", parents: [head] + (mergedParent.map { [$0] } ?? []), author: author, message: message,
                createdAt: now.unixMilliseconds, issueReferences: issueReferences)
            try await Self.insert(commit, changed: changed.sorted(), organizationID: organizationID, on: executor)
            // Whatever must happen with the commit or not at all (spending an override, say).
            try await alsoInTransaction?(executor, commit)
            let moved = try await executor.query(
                """
                UPDATE ontology_branches SET head = \(commit.id), updated_at = \(now)
                WHERE organization_id = \(organizationID) AND name = \(name) AND head = \(head) RETURNING name
                """)
            guard !moved.isEmpty else { throw RepositoryError.staleHead(expected: head, current: "unknown") }
            return (commit, nodes.remembered)
        }
        // Committed: the nodes this commit read and wrote are the next commit's starting point.
        nodeCache.insert(Dictionary(uniqueKeysWithValues: nodes.map { ("\(organizationID)/\($0.key)", $0.value) }))
        return result
    }

    /// Commits from `start` back along first parents, newest first.
    public func history(organizationID: String, from start: Commit, limit: Int) async throws -> [Commit] {
        try await database.read { executor in
            var commits: [Commit] = [start]
            var next = start.parents.first
            while let id = next, commits.count < limit, let commit = try await Self.commit(id, organizationID: organizationID, on: executor) {
                commits.append(commit)
                next = commit.parents.first
            }
            return commits
        }
    }

    /// What differs between two commits, resource by resource: (before, after) documents.
    public func differences(
        organizationID: String, from old: Commit, to new: Commit
    ) async throws -> [ResourceKey: (before: JSONValue?, after: JSONValue?)] {
        try await database.read { executor in
            let tree = ResourceTree(store: SQLTreeNodeStore(executor: executor, organizationID: organizationID, cache: nodeCache))
            let pairs = try await tree.differences(old.tree.isEmpty ? nil : old.tree, new.tree.isEmpty ? nil : new.tree)
            let hashes = Set(pairs.values.flatMap { [$0.old, $0.new].compactMap { $0 } })
            let bodies = try await Self.documents(Array(hashes), organizationID: organizationID, on: executor)
            return pairs.mapValues { (before: $0.old.flatMap { bodies[$0] }, after: $0.new.flatMap { bodies[$0] }) }
        }
    }

    // MARK: Rows

    static func resolve(_ reference: String, organizationID: String, on executor: any SQLExecutor) async throws -> Commit? {
        if let row = try await executor.first(
            "SELECT head FROM ontology_branches WHERE organization_id = \(organizationID) AND name = \(reference)")
        {
            return try await commit(try row.decode("head"), organizationID: organizationID, on: executor)
        }
        return try await commit(reference, organizationID: organizationID, on: executor)
    }

    static func commit(_ id: String, organizationID: String, on executor: any SQLExecutor) async throws -> Commit? {
        guard let row = try await executor.first("SELECT * FROM ontology_commits WHERE organization_id = \(organizationID) AND id = \(id)") else {
            return nil
        }
        let decoder = JSONDecoder()
        let parents: String = try row.decode("parents")
        let references: String = try row.decode("issue_references")
        let commit = Commit(
            tree: try row.decode("tree"), parents: try decoder.decode([String].self, from: Data(parents.utf8)), author: try row.decode("author"),
            message: try row.decode("message"), createdAt: try row.decode("created_at"),
            issueReferences: try decoder.decode([String].self, from: Data(references.utf8)))
        guard commit.id == id else { throw StoreError(.rejected, "commit \(id) does not match its content") }
        return commit
    }

    static func insert(_ commit: Commit, changed: [String], organizationID: String, on executor: any SQLExecutor) async throws {
        let encoder = JSONEncoder()
        let parents = String(decoding: try encoder.encode(commit.parents), as: UTF8.self)
        let references = String(decoding: try encoder.encode(commit.issueReferences), as: UTF8.self)
        let changedJSON = String(decoding: try encoder.encode(changed), as: UTF8.self)
        try await executor.query(
            """
            INSERT INTO ontology_commits (organization_id, id, tree, parents, author, message, created_at, issue_references, changed)
            VALUES (\(organizationID), \(commit.id), \(commit.tree), \(parents), \(commit.author), \(commit.message), \(commit.createdAt),
                \(references), \(changedJSON))
            ON CONFLICT (organization_id, id) DO NOTHING
            """)
    }

    static func documents(_ hashes: [String], organizationID: String, on executor: any SQLExecutor) async throws -> [String: JSONValue] {
        guard !hashes.isEmpty else { return [:] }
        var documents: [String: JSONValue] = [:]
        for row in try await executor.query(
            "SELECT hash, body FROM ontology_documents WHERE organization_id = \(organizationID) AND hash IN (\(list: hashes))")
        {
            let body: String = try row.decode("body")
            documents[try row.decode("hash")] = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
        }
        return documents
    }

    static func branch(_ row: SQLRow) throws -> Branch {
        Branch(
            name: try row.decode("name"), head: try row.decode("head"), isProtected: try row.decode("protected") as Int != 0,
            requiredApprovals: try row.decode("required_approvals"), createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"))
    }
}
