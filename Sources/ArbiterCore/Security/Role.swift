/// A member's role in an organization, from least to most trusted.
public enum Role: String, CaseIterable, Codable, Comparable, Sendable {
    case viewer, developer, reviewer, maintainer, admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .developer: 1
        case .reviewer: 2
        case .maintainer: 3
        case .admin: 4
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// Who is calling: a person, or a service account acting through an API key.
public struct Principal: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        /// A person who logged in with a password.
        case user
        /// CI and other automation, authenticated with an API key.
        case serviceAccount = "service_account"
    }

    /// How the credentials arrived; cookie sessions need CSRF protection on unsafe methods.
    public enum Method: String, Equatable, Sendable {
        case bearerToken = "bearer"
        case cookie
        case apiKey = "api_key"
    }

    /// The user's id, or the API key's id for a service account.
    public let id: String
    /// The user's e-mail address; for a service account the key's name.
    public let name: String
    public let organizationID: String
    public let role: Role
    public let kind: Kind
    public let method: Method
    /// The sign-in session (refresh-token family) of a person; `nil` for API keys.
    public let sessionID: String?

    public init(
        id: String, name: String, organizationID: String, role: Role, kind: Kind, method: Method, sessionID: String? = nil
    ) {
        self.id = id
        self.name = name
        self.organizationID = organizationID
        self.role = role
        self.kind = kind
        self.method = method
        self.sessionID = sessionID
    }
}
