/// A tier with its provider looked up and its key read from the secrets store: ready to call.
public struct ResolvedTier: Sendable {
    public var tier: ReviewerConfiguration.Tier
    public var endpoint: ProviderEndpoint
    /// The provider's name, as configured.
    public var providerName: String

    public init(tier: ReviewerConfiguration.Tier, endpoint: ProviderEndpoint, providerName: String) {
        self.tier = tier
        self.endpoint = endpoint
        self.providerName = providerName
    }

    /// What a breaker and a concurrency limit belong to: the same model at the same place, whatever the configuration
    /// calls it. The key is not part of it, but its fingerprint is, so a rotated key starts with a closed breaker.
    var stateKey: String {
        let key = endpoint.apiKey.map { SHA256Hex.digest($0).prefix(12) } ?? "-"
        return [endpoint.kind.rawValue, endpoint.baseURL, tier.model, String(tier.concurrency), String(tier.queueLimit), String(key)]
            .joined(separator: "\u{1F}")
    }
}
