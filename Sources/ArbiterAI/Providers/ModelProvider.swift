/// The wire formats Arbiter speaks.
public enum ProviderKind: String, Sendable, Codable, CaseIterable {
    /// OpenAI chat completions: OpenAI, Azure-style gateways, Ollama, vLLM, llama.cpp server, LM Studio.
    case openAI = "openai"
    /// Anthropic Messages.
    case anthropic
}

/// Where a provider lives and how long to wait for it.
public struct ProviderEndpoint: Sendable, Equatable {
    public var kind: ProviderKind
    /// For `openai` the API root including its version (`https://api.openai.com/v1`, `http://localhost:11434/v1`);
    /// for `anthropic` the host root (`https://api.anthropic.com`).
    public var baseURL: String
    /// The key sent to the provider, read from the secrets store; `nil` for servers that need none.
    public var apiKey: String?
    public var timeouts: Timeouts

    public struct Timeouts: Sendable, Equatable, Hashable {
        public var connect: Duration
        /// Longest silence between two reads of the answer.
        public var read: Duration
        /// Longest a whole call may take, streaming included.
        public var total: Duration

        public init(connect: Duration = .seconds(5), read: Duration = .seconds(60), total: Duration = .seconds(120)) {
            self.connect = connect
            self.read = read
            self.total = total
        }
    }

    public init(kind: ProviderKind, baseURL: String, apiKey: String?, timeouts: Timeouts = Timeouts()) {
        self.kind = kind
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.timeouts = timeouts
    }
}

/// A model provider: one call in, one answer out, streamed or not. Errors are always ``ProviderError``;
/// cancelling the calling task cancels the upstream request.
public protocol ModelProvider: Sendable {
    /// Sends `request` and waits for the whole answer.
    func complete(_ request: ChatRequest) async throws -> ChatResponse
    /// Sends `request` as a streaming call, passing each piece of text to `onText` as it arrives, and returns the
    /// assembled answer. A stream that ends before the provider's end marker is a ``ProviderError/transport(_:)``.
    func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) async throws -> Void) async throws -> ChatResponse
}
