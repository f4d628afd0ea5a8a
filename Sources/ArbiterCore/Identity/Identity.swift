import Foundation

/// A tenant: every tenant-owned record carries its organization's id.
public struct Organization: Equatable, Sendable {
    public let id: String
    public let name: String
    public let createdAt: Date

    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A person's account; the same account can belong to several organizations.
public struct UserAccount: Equatable, Sendable {
    public let id: String
    public let email: String
    public let passwordHash: String
    public let disabled: Bool
    public let createdAt: Date

    public init(id: String, email: String, passwordHash: String, disabled: Bool, createdAt: Date) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.disabled = disabled
        self.createdAt = createdAt
    }
}

/// A user's membership of one organization, with the role it gives them there.
public struct Member: Equatable, Sendable {
    public let userID: String
    public let email: String
    public let organizationID: String
    public let organizationName: String
    public let role: Role
    public let disabled: Bool
    public let joinedAt: Date

    public init(
        userID: String, email: String, organizationID: String, organizationName: String, role: Role, disabled: Bool, joinedAt: Date
    ) {
        self.userID = userID
        self.email = email
        self.organizationID = organizationID
        self.organizationName = organizationName
        self.role = role
        self.disabled = disabled
        self.joinedAt = joinedAt
    }
}

/// An API key as stored: everything but the secret part, which is kept only as a hash.
public struct APIKey: Equatable, Sendable {
    public let id: String
    public let organizationID: String
    public let name: String
    /// The public, unique part of the key, shown in lists to tell keys apart.
    public let prefix: String
    public let role: Role
    public let createdBy: String
    public let createdAt: Date
    public let expiresAt: Date?
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public init(
        id: String, organizationID: String, name: String, prefix: String, role: Role, createdBy: String, createdAt: Date,
        expiresAt: Date?, lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.prefix = prefix
        self.role = role
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the key may be used at `now`.
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }
}

/// Who caused a change, as recorded in the audit log.
public struct Actor: Equatable, Sendable {
    /// `user:<id>`, `api_key:<id>`, `system` or `anonymous`.
    public let reference: String
    public let origin: AuditOrigin

    public init(reference: String, origin: AuditOrigin) {
        self.reference = reference
        self.origin = origin
    }

    /// The principal making a request.
    public init(_ principal: Principal, origin: AuditOrigin) {
        self.reference = (principal.kind == .user ? "user:" : "api_key:") + principal.id
        self.origin = origin
    }

    /// Arbiter itself, or an operator at the command line.
    public static let system = Actor(reference: "system", origin: .none)
}
