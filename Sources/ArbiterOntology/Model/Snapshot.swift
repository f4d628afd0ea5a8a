import ArbiterCore
import Crypto
import Foundation

/// The whole ontology at one commit: every resource as a JSON document. Documents are compared and merged field
/// by field; the typed model (``OntologyValidator``) decides whether a snapshot is valid.
public struct Snapshot: Sendable, Equatable {
    public var resources: [ResourceKey: JSONValue]

    public init(_ resources: [ResourceKey: JSONValue] = [:]) {
        self.resources = resources
    }

    public subscript(key: ResourceKey) -> JSONValue? {
        get { resources[key] }
        set { resources[key] = newValue }
    }

    /// The canonical bytes of a document: keys sorted, no whitespace, integral numbers without a fraction.
    public static func canonical(_ document: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(document)) ?? Data()
    }

    /// SHA-256 of a document's canonical bytes, hex.
    public static func hash(_ document: JSONValue) -> String {
        TreeNode.hex(SHA256.hash(data: canonical(document)))
    }

    /// SHA-256 over every resource's key and hash in key order: equal trees hash equal, whatever order they were built in.
    public var treeHash: String {
        var hasher = SHA256()
        for key in resources.keys.sorted() {
            hasher.update(data: Data("\(key)\u{0}\(Self.hash(resources[key]!))\n".utf8))
        }
        return TreeNode.hex(hasher.finalize())
    }
}
