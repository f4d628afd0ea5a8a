import Foundation

/// A provider an organization can call: where it is, which wire format it speaks, which secret holds its key.
public struct ProviderSettings: Sendable, Codable, Equatable {
    public var name: String
    public var kind: ProviderKind
    public var baseURL: String
    /// Name of the secret (in the encrypted secrets store) holding the API key; `nil` for servers that need none.
    public var credential: String?
    public var connectTimeoutMilliseconds: Int
    public var readTimeoutMilliseconds: Int
    public var totalTimeoutMilliseconds: Int

    public init(
        name: String, kind: ProviderKind, baseURL: String, credential: String?, connectTimeoutMilliseconds: Int = 5_000,
        readTimeoutMilliseconds: Int = 60_000, totalTimeoutMilliseconds: Int = 120_000
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.credential = credential
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, credential
        case baseURL = "base_url"
        case connectTimeoutMilliseconds = "connect_timeout_ms"
        case readTimeoutMilliseconds = "read_timeout_ms"
        case totalTimeoutMilliseconds = "total_timeout_ms"
    }

    public var timeouts: ProviderEndpoint.Timeouts {
        .init(
            connect: .milliseconds(connectTimeoutMilliseconds), read: .milliseconds(readTimeoutMilliseconds),
            total: .milliseconds(totalTimeoutMilliseconds))
    }

    /// Every problem with these settings, as (field, what is wrong); empty when valid.
    public func problems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if !Self.isValidName(name) { problems.append(("name", "1 to 64 letters, digits, `_`, `-` and `.`")) }
        if let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host?.isEmpty == false,
            url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        {
        } else {
            problems.append(("base_url", "an absolute http or https URL without query, fragment or credentials, e.g. http://localhost:11434/v1"))
        }
        if let credential, !Self.isValidName(credential) { problems.append(("credential", "the name of a secret (see PUT /api/v1/secrets/{name})")) }
        for (field, value, range) in [
            ("connect_timeout_ms", connectTimeoutMilliseconds, 10...60_000), ("read_timeout_ms", readTimeoutMilliseconds, 10...600_000),
            ("total_timeout_ms", totalTimeoutMilliseconds, 10...1_800_000),
        ] where !range.contains(value) {
            problems.append((field, "between \(range.lowerBound) and \(range.upperBound)"))
        }
        return problems
    }

    /// Whether `name` can name a provider or a secret.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
            && !name.hasPrefix(".")
    }
}

/// How an organization's reviews use models: an ordered chain of up to three tiers (the built-in analyzer always
/// runs and is the last resort), an optional monthly budget and the prompt version.
public struct ReviewerConfiguration: Sendable, Codable, Equatable {
    public var tiers: [Tier]
    public var budget: Budget?
    public var promptVersion: String
    /// Whether calls stream (progress reaches SSE clients as it arrives); some self-hosted servers stream poorly.
    public var streaming: Bool
    /// The longest the models may take over one review; prompts not answered by then are left to the analyzer.
    public var modelDeadlineMilliseconds: Int

    public init(
        tiers: [Tier], budget: Budget? = nil, promptVersion: String = PromptTemplate.current.version, streaming: Bool = true,
        modelDeadlineMilliseconds: Int = 120_000
    ) {
        self.tiers = tiers
        self.budget = budget
        self.promptVersion = promptVersion
        self.streaming = streaming
        self.modelDeadlineMilliseconds = modelDeadlineMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case tiers, budget, streaming
        case promptVersion = "prompt_version"
        case modelDeadlineMilliseconds = "model_deadline_ms"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tiers = try container.decode([Tier].self, forKey: .tiers)
        budget = try container.decodeIfPresent(Budget.self, forKey: .budget)
        promptVersion = try container.decodeIfPresent(String.self, forKey: .promptVersion) ?? PromptTemplate.current.version
        streaming = try container.decodeIfPresent(Bool.self, forKey: .streaming) ?? true
        modelDeadlineMilliseconds = try container.decodeIfPresent(Int.self, forKey: .modelDeadlineMilliseconds) ?? 120_000
    }

    /// No tiers: reviews use the analyzer alone.
    public static let analyzerOnly = ReviewerConfiguration(tiers: [])

    /// One step of the chain.
    public struct Tier: Sendable, Codable, Equatable {
        /// Name of a provider from `/api/v1/providers`.
        public var provider: String
        public var model: String
        /// Tokens the model accepts, prompt and answer together.
        public var contextWindow: Int
        public var maxOutputTokens: Int
        /// US dollars per million input tokens (0 for a model you run yourself).
        public var inputPricePerMillion: Double
        public var outputPricePerMillion: Double
        /// Calls to this tier in flight at once, across all reviews on this node.
        public var concurrency: Int
        /// Calls that may wait for a free slot; more are turned away to the next tier.
        public var queueLimit: Int

        public init(
            provider: String, model: String, contextWindow: Int, maxOutputTokens: Int, inputPricePerMillion: Double = 0,
            outputPricePerMillion: Double = 0, concurrency: Int = 4, queueLimit: Int = 16
        ) {
            self.provider = provider
            self.model = model
            self.contextWindow = contextWindow
            self.maxOutputTokens = maxOutputTokens
            self.inputPricePerMillion = inputPricePerMillion
            self.outputPricePerMillion = outputPricePerMillion
            self.concurrency = concurrency
            self.queueLimit = queueLimit
        }

        enum CodingKeys: String, CodingKey {
            case provider, model, concurrency
            case contextWindow = "context_window"
            case maxOutputTokens = "max_output_tokens"
            case inputPricePerMillion = "input_price_per_million"
            case outputPricePerMillion = "output_price_per_million"
            case queueLimit = "queue_limit"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            provider = try container.decode(String.self, forKey: .provider)
            model = try container.decode(String.self, forKey: .model)
            contextWindow = try container.decode(Int.self, forKey: .contextWindow)
            maxOutputTokens = try container.decode(Int.self, forKey: .maxOutputTokens)
            inputPricePerMillion = try container.decodeIfPresent(Double.self, forKey: .inputPricePerMillion) ?? 0
            outputPricePerMillion = try container.decodeIfPresent(Double.self, forKey: .outputPricePerMillion) ?? 0
            concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency) ?? 4
            queueLimit = try container.decodeIfPresent(Int.self, forKey: .queueLimit) ?? 16
        }

        /// Whether calls to this tier cost money.
        public var isPaid: Bool { inputPricePerMillion > 0 || outputPricePerMillion > 0 }

        /// Cost of `usage` in millionths of a US dollar (a price per million tokens is a price in micro-dollars per token).
        public func costMicros(_ usage: TokenUsage) -> Int64 {
            Int64((Double(usage.inputTokens) * inputPricePerMillion + Double(usage.outputTokens) * outputPricePerMillion).rounded())
        }
    }

    /// A monthly spending limit, in US dollars, for the whole organization.
    public struct Budget: Sendable, Codable, Equatable {
        /// Above this, reviews carry a warning.
        public var softLimit: Double?
        /// Above this, paid tiers are skipped: free tiers and the analyzer still answer.
        public var hardLimit: Double?

        public init(softLimit: Double?, hardLimit: Double?) {
            self.softLimit = softLimit
            self.hardLimit = hardLimit
        }

        enum CodingKeys: String, CodingKey {
            case softLimit = "soft_limit_usd", hardLimit = "hard_limit_usd"
        }
    }

    /// Every problem with this configuration given the organization's providers, as (field, what is wrong).
    public func problems(providers: Set<String>) -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if !(1_000...1_800_000).contains(modelDeadlineMilliseconds) {
            problems.append(("model_deadline_ms", "between 1000 and 1800000 milliseconds"))
        }
        if tiers.count > 3 { problems.append(("tiers", "at most 3 tiers (primary, secondary, tertiary); the analyzer is always last")) }
        if PromptTemplate.named(promptVersion) == nil {
            problems.append(("prompt_version", "unknown; known versions: \(PromptTemplate.all.map(\.version).joined(separator: ", "))"))
        }
        for (index, tier) in tiers.enumerated() {
            let field = "tiers[\(index)]"
            if !providers.contains(tier.provider) {
                problems.append(("\(field).provider", "no provider named `\(tier.provider)`; create it with PUT /api/v1/providers/{name}"))
            }
            if tier.model.isEmpty || tier.model.count > 200 || tier.model.contains(where: { $0.isNewline }) {
                problems.append(("\(field).model", "1 to 200 characters on one line"))
            }
            if !(1_024...10_000_000).contains(tier.contextWindow) { problems.append(("\(field).context_window", "between 1024 and 10000000 tokens")) }
            if !(64...1_000_000).contains(tier.maxOutputTokens) || tier.maxOutputTokens * 2 > tier.contextWindow {
                problems.append(("\(field).max_output_tokens", "between 64 and half the context window"))
            }
            for (name, price) in [("input_price_per_million", tier.inputPricePerMillion), ("output_price_per_million", tier.outputPricePerMillion)]
            where !(price.isFinite && price >= 0 && price <= 10_000) {
                problems.append(("\(field).\(name)", "a price in US dollars between 0 and 10000"))
            }
            if !(1...256).contains(tier.concurrency) { problems.append(("\(field).concurrency", "between 1 and 256")) }
            if !(0...10_000).contains(tier.queueLimit) { problems.append(("\(field).queue_limit", "between 0 and 10000")) }
        }
        if let budget {
            for (name, limit) in [("budget.soft_limit_usd", budget.softLimit), ("budget.hard_limit_usd", budget.hardLimit)] {
                if let limit, !(limit.isFinite && limit >= 0 && limit <= 10_000_000) { problems.append((name, "between 0 and 10000000 US dollars")) }
            }
            if let soft = budget.softLimit, let hard = budget.hardLimit, soft > hard {
                problems.append(("budget.soft_limit_usd", "must not exceed hard_limit_usd"))
            }
        }
        return problems
    }
}
