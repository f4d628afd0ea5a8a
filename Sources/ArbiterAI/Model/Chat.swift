/// One message of a chat conversation.
public struct ChatMessage: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable { case user, assistant }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// What the gateway asks a model, in neither provider's wire format.
public struct ChatRequest: Sendable, Equatable {
    public var model: String
    public var system: String
    public var messages: [ChatMessage]
    public var maxOutputTokens: Int
    public var temperature: Double

    public init(model: String, system: String, messages: [ChatMessage], maxOutputTokens: Int, temperature: Double = 0) {
        self.model = model
        self.system = system
        self.messages = messages
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
    }
}

/// Tokens a call consumed: as the provider reported them, or estimated when it did not.
public struct TokenUsage: Sendable, Equatable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// True when the provider sent no usage and these are Arbiter's own estimates.
    public var estimated: Bool

    public init(inputTokens: Int, outputTokens: Int, estimated: Bool) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.estimated = estimated
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens", outputTokens = "output_tokens", estimated
    }
}

/// A model's complete answer.
public struct ChatResponse: Sendable, Equatable {
    public var text: String
    /// Usage as reported by the provider; `nil` when it sent none.
    public var usage: TokenUsage?
    /// Why the model stopped (`stop`, `length`, `end_turn`, `max_tokens` …), as the provider said it.
    public var finishReason: String?

    public init(text: String, usage: TokenUsage?, finishReason: String?) {
        self.text = text
        self.usage = usage
        self.finishReason = finishReason
    }
}
