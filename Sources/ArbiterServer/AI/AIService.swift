import ArbiterAI
import ArbiterCore
import ArbiterStore
import Foundation

/// An organization's model chain, ready for a review: the configuration, its tiers with keys read from the
/// secrets store, and what the budget allows.
public final class AIService: Sendable {
    public let store: AIStore
    public let gateway: ModelGateway
    let secrets: SecretStore
    let cipher: SecretCipher
    let ids: any IDGenerator
    let clock: any WallClock

    public init(store: AIStore, gateway: ModelGateway, secrets: SecretStore, cipher: SecretCipher, ids: any IDGenerator, clock: any WallClock) {
        self.store = store
        self.gateway = gateway
        self.secrets = secrets
        self.cipher = cipher
        self.ids = ids
        self.clock = clock
    }

    /// What one review will use.
    public struct Plan: Sendable {
        public let configuration: ReviewerConfiguration
        public let revision: Int64
        public let tiers: [ResolvedTier]
        /// False when the hard budget is spent: paid tiers are skipped.
        public let paidAllowed: Bool
        /// Budget warnings and tiers that could not be prepared (a deleted provider, a missing key).
        public let warnings: [String]
        /// Tiers left out because their provider or key is gone.
        public let unusableTiers: Int
    }

    /// The stored configuration, or `nil` when the organization has none.
    public func configuration(organizationID: String) async throws -> (ReviewerConfiguration, Int64)? {
        guard let stored = try await store.reviewerConfig(organizationID: organizationID) else { return nil }
        return (try JSONDecoder().decode(ReviewerConfiguration.self, from: Data(stored.document.utf8)), stored.revision)
    }

    /// The organization's providers, decoded.
    public func providers(organizationID: String) async throws -> [ProviderSettings] {
        try await store.providers(organizationID: organizationID).map {
            try JSONDecoder().decode(ProviderSettings.self, from: Data($0.settingsJSON.utf8))
        }
    }

    /// The plan for a review, or `nil` when the organization uses the analyzer alone.
    public func plan(organizationID: String) async throws -> Plan? {
        guard let (configuration, revision) = try await configuration(organizationID: organizationID), !configuration.tiers.isEmpty else {
            return nil
        }
        let providers = Dictionary(try await providers(organizationID: organizationID).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var warnings: [String] = []
        var tiers: [ResolvedTier] = []
        for (index, tier) in configuration.tiers.enumerated() {
            guard let provider = providers[tier.provider] else {
                warnings.append("tier \(index + 1) is skipped: provider `\(tier.provider)` no longer exists")
                continue
            }
            guard let endpoint = try await endpoint(for: provider, organizationID: organizationID) else {
                warnings.append(
                    "tier \(index + 1) is skipped: the secret `\(provider.credential ?? "")` for provider `\(provider.name)` is missing or unreadable")
                continue
            }
            tiers.append(ResolvedTier(tier: tier, endpoint: endpoint, providerName: provider.name))
        }
        var paidAllowed = true
        if let budget = configuration.budget, budget.softLimit != nil || budget.hardLimit != nil {
            let spent = Double(try await monthToDate(organizationID: organizationID)) / 1_000_000
            if let hard = budget.hardLimit, spent >= hard {
                paidAllowed = false
                warnings.append(String(format: "the hard monthly budget of $%.2f is spent ($%.2f); paid tiers are skipped", hard, spent))
            } else if let soft = budget.softLimit, spent >= soft {
                warnings.append(String(format: "the soft monthly budget of $%.2f is exceeded ($%.2f spent)", soft, spent))
            }
        }
        return Plan(
            configuration: configuration, revision: revision, tiers: tiers, paidAllowed: paidAllowed, warnings: warnings,
            unusableTiers: configuration.tiers.count - tiers.count)
    }

    /// Where and how to call `provider`, its key read from the secrets store; `nil` when the key is missing or unreadable.
    public func endpoint(for provider: ProviderSettings, organizationID: String) async throws -> ProviderEndpoint? {
        var key: String?
        if let name = provider.credential {
            guard let sealed = try await secrets.ciphertext(organizationID: organizationID, name: name),
                let opened = try? cipher.open(sealed, organizationID: organizationID, name: name)
            else { return nil }
            key = opened
        }
        return ProviderEndpoint(kind: provider.kind, baseURL: provider.baseURL, apiKey: key, timeouts: provider.timeouts)
    }

    /// Micro-dollars spent this calendar month (UTC).
    public func monthToDate(organizationID: String) async throws -> Int64 {
        let today = UsageRecord.day(clock.now())
        return try await store.spent(organizationID: organizationID, from: String(today.prefix(8)) + "01", through: today)
    }

    /// Records what the answered attempts of a review consumed.
    public func recordUsage(_ attempts: [Attempt], organizationID: String, reviewID: String?, actor: String, promptVersion: String) async throws {
        let now = clock.now()
        let records = attempts.filter { $0.outcome == .answered }.map { attempt in
            UsageRecord(
                id: ids.next(), organizationID: organizationID, reviewID: reviewID, actor: actor, provider: attempt.provider,
                model: attempt.model, promptVersion: promptVersion, inputTokens: attempt.usage?.inputTokens ?? 0,
                outputTokens: attempt.usage?.outputTokens ?? 0, estimated: attempt.usage?.estimated ?? true, costMicros: attempt.costMicros,
                createdAt: now)
        }
        try await store.record(records)
    }
}

/// The gateway's shared cache, in the database every replica uses.
public struct DatabaseAnswerCache: SharedResponseCache {
    let store: AIStore
    let clock: any WallClock

    public init(store: AIStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    public func value(for key: String) async throws -> String? { try await store.cachedAnswer(key: key) }

    public func insert(_ value: String, for key: String, expiresIn: Duration) async throws {
        let seconds = Double(expiresIn.components.seconds) + Double(expiresIn.components.attoseconds) / 1e18
        try await store.cacheAnswer(value, key: key, expiresAt: clock.now().addingTimeInterval(seconds))
    }
}
