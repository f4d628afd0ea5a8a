import ArbiterCore
import Foundation

/// The position after the last item of a page ordered newest first by `(created_at, id)`, as an opaque string.
public struct PageCursor: Equatable, Sendable {
    public let createdAt: Date
    public let id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Reads a cursor this store handed out; `nil` for anything else.
    public init?(_ text: String) {
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else { return nil }
        let parts = decoded.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let milliseconds = Int64(parts[0]) else { return nil }
        self.init(createdAt: Date(unixMilliseconds: milliseconds), id: String(parts[1]))
    }

    public var text: String { Data("\(createdAt.unixMilliseconds):\(id)".utf8).base64EncodedString() }
}
