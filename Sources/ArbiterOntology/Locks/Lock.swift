import Foundation

/// What a lock covers: a whole branch, one kind of resource on a branch, or a single resource.
public enum LockScope: Hashable, Sendable, CustomStringConvertible {
    case branch(String)
    case resourceType(branch: String, kind: ResourceKind)
    case resource(branch: String, key: ResourceKey)

    public var branch: String {
        switch self {
        case .branch(let branch), .resourceType(let branch, _), .resource(let branch, _): branch
        }
    }

    /// Whether holding both at once would let two holders change the same thing.
    public func overlaps(_ other: LockScope) -> Bool {
        guard branch == other.branch else { return false }
        switch (self, other) {
        case (.branch, _), (_, .branch): return true
        case (.resourceType(_, let a), .resourceType(_, let b)): return a == b
        case (.resourceType(_, let kind), .resource(_, let key)), (.resource(_, let key), .resourceType(_, let kind)): return key.kind == kind
        case (.resource(_, let a), .resource(_, let b)): return a == b
        }
    }

    /// Whether a write to `key` on `branch` falls under this scope.
    public func covers(_ key: ResourceKey, on branch: String) -> Bool { overlaps(.resource(branch: branch, key: key)) }

    /// `branch main`, `object-types on main`, `object-types/employee on main`.
    public var description: String {
        switch self {
        case .branch(let branch): "branch \(branch)"
        case .resourceType(let branch, let kind): "\(kind.rawValue) on \(branch)"
        case .resource(let branch, let key): "\(key) on \(branch)"
        }
    }

    /// What stays editable while this scope is locked, for the `423` answer.
    public var editableElsewhere: String {
        switch self {
        case .branch: "other branches"
        case .resourceType(let branch, let kind): "every resource but \(kind.rawValue) on \(branch), and every branch but \(branch)"
        case .resource(let branch, _): "every other resource on \(branch), and every branch but \(branch)"
        }
    }
}

/// Why a lock is held.
public enum LockKind: String, Sendable, Codable, CaseIterable {
    case indexing, migration, maintenance, manual
}

/// A held lock. The fencing token grows with every lock granted: a write carries its holder's token, and a token
/// that is no longer the current holder's is refused, so a holder that lost its lock (expired, forced) cannot write.
public struct Lock: Sendable, Equatable {
    public let id: String
    public let scope: LockScope
    public let kind: LockKind
    /// `user:<id>`, `api_key:<id>` or `system:<task>`.
    public let holder: String
    public let fencingToken: Int64
    public let acquiredAt: Date
    public var expiresAt: Date
    /// 0 to 100, as last reported by the holder.
    public var progress: Int?
    /// When the holder expects to finish.
    public var estimatedCompletion: Date?
    public let reason: String?
}
