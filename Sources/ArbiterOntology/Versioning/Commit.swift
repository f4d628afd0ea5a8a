import Crypto
import Foundation

/// A content-addressed commit: its id is the SHA-256 of its tree, parents, author, message, time and issue
/// references, so any change to history changes every id after it.
public struct Commit: Sendable, Equatable, Codable {
    public let id: String
    /// ``Snapshot/treeHash`` of the ontology at this commit.
    public let tree: String
    /// Zero (the first commit), one, or two (a merge) parent ids.
    public let parents: [String]
    public let author: String
    public let message: String
    /// Milliseconds since 1970.
    public let createdAt: Int64
    public let issueReferences: [String]

    public init(tree: String, parents: [String], author: String, message: String, createdAt: Int64, issueReferences: [String]) {
        self.tree = tree
        self.parents = parents
        self.author = author
        self.message = message
        self.createdAt = createdAt
        self.issueReferences = issueReferences
        id = Self.id(tree: tree, parents: parents, author: author, message: message, createdAt: createdAt, issueReferences: issueReferences)
    }

    /// The id these fields hash to; a stored commit whose id differs has been altered.
    public static func id(tree: String, parents: [String], author: String, message: String, createdAt: Int64, issueReferences: [String]) -> String {
        var hasher = SHA256()
        // Length-prefixed fields: no choice of values can make two different commits serialize alike.
        func field(_ text: String) {
            let bytes = Data(text.utf8)
            hasher.update(data: Data("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        field("commit-v1")
        field(tree)
        field(String(parents.count))
        parents.forEach(field)
        field(author)
        field(message)
        field(String(createdAt))
        field(String(issueReferences.count))
        issueReferences.forEach(field)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether the id matches the content.
    public var isIntact: Bool {
        id == Self.id(tree: tree, parents: parents, author: author, message: message, createdAt: createdAt, issueReferences: issueReferences)
    }

    enum CodingKeys: String, CodingKey {
        case id, tree, parents, author, message
        case createdAt = "created_at"
        case issueReferences = "issue_references"
    }
}
