/// Something a route lets its caller do. Each route declares exactly one permission, or that it is public.
public enum Permission: String, CaseIterable, Sendable {
    /// Read who you are.
    case readSelf = "self:read"
    /// Read the server's version and installation id.
    case readVersion = "version:read"
    /// Create, list and revoke API keys.
    case manageAPIKeys = "api_keys:manage"
    /// List users, add them, change their roles.
    case manageUsers = "users:manage"
    /// Store, list and delete encrypted secrets.
    case manageSecrets = "secrets:manage"
    /// Read the audit log.
    case readAudit = "audit:read"
    /// Submit code for review.
    case createReview = "reviews:create"
    /// Read the organization's reviews.
    case readReviews = "reviews:read"
    /// Configure model providers and the reviewer chain (they decide where code is sent and what is spent).
    case manageAI = "ai:manage"
    /// Read model usage and cost.
    case readUsage = "usage:read"
    /// Read the ontology: branches, commits, resources, diffs.
    case readOntology = "ontology:read"
    /// Create branches and change resources on them.
    case writeOntology = "ontology:write"
    /// Protect branches and set their required approvals.
    case administerOntology = "ontology:admin"
    /// Approve or reject someone else's emergency override.
    case approveOverrides = "overrides:approve"
    /// Release anyone's ontology lock.
    case forceReleaseLocks = "locks:force_release"

    /// The least role that holds this permission.
    public var minimumRole: Role {
        switch self {
        case .readSelf, .readVersion, .readReviews, .readOntology: .viewer
        case .createReview, .writeOntology: .developer
        case .manageAI, .readUsage, .administerOntology: .maintainer
        case .manageAPIKeys, .manageUsers, .manageSecrets, .readAudit, .approveOverrides, .forceReleaseLocks: .admin
        }
    }

    /// Whether an API key (a service account) may use it. Managing people, keys and secrets takes a person.
    public var allowsServiceAccounts: Bool {
        switch self {
        case .readSelf, .readVersion, .readAudit, .createReview, .readReviews, .readUsage, .readOntology, .writeOntology: true
        case .manageAPIKeys, .manageUsers, .manageSecrets, .manageAI, .administerOntology, .approveOverrides, .forceReleaseLocks: false
        }
    }
}

/// The outcome of an access check.
public enum AccessDecision: Equatable, Sendable {
    case allow
    /// No or invalid credentials: `401`.
    case unauthenticated
    /// Valid credentials that do not carry the permission: `403`, with the reason.
    case forbidden(String)
}

/// The one place that decides whether a principal may use a permission; deny unless a rule allows.
public enum AccessPolicy {
    public static func decide(_ principal: Principal?, _ permission: Permission) -> AccessDecision {
        guard let principal else { return .unauthenticated }
        if principal.kind == .serviceAccount, !permission.allowsServiceAccounts {
            return .forbidden("API keys cannot \(permission.rawValue); sign in as a person")
        }
        guard principal.role >= permission.minimumRole else {
            return .forbidden("\(permission.rawValue) needs the \(permission.minimumRole.rawValue) role; you are \(principal.role.rawValue)")
        }
        return .allow
    }
}
