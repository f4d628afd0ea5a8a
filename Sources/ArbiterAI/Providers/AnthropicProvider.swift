import Foundation

/// Anthropic Messages (`POST {base}/v1/messages`).
public struct AnthropicProvider: ModelProvider {
    let http: ProviderHTTP
    static let apiVersion = "2023-06-01"

    public init(endpoint: ProviderEndpoint, clients: HTTPClients) {
        http = ProviderHTTP(endpoint: endpoint, clients: clients)
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        try await http.withinTotal { try await completeNow(request) }
    }

    public func stream(_ request: ChatRequest, onText: @escaping @Sendable (String) async throws -> Void) async throws -> ChatResponse {
        try await http.withinTotal { try await streamNow(request, onText: onText) }
    }

    func completeNow(_ request: ChatRequest) async throws -> ChatResponse {
        let response = try await http.post("/v1/messages", headers: headers, body: body(request, stream: false))
        let data = try await http.collect(response)
        guard let message = try? JSONDecoder().decode(Message.self, from: data), let content = message.content else {
            throw ProviderError.malformedResponse("not a message: \(http.scrub(String(decoding: data.prefix(200), as: UTF8.self)))")
        }
        let text = content.filter { $0.type == "text" }.compactMap(\.text).joined()
        return ChatResponse(text: text, usage: message.usage?.tokens, finishReason: message.stopReason)
    }

    func streamNow(_ request: ChatRequest, onText: @Sendable (String) async throws -> Void) async throws -> ChatResponse {
        let response = try await http.post("/v1/messages", headers: headers, body: body(request, stream: true))
        var text = ""
        var inputTokens: Int?
        var outputTokens: Int?
        var stopReason: String?
        var stopped = false
        try await http.events(response) { event in
            guard !stopped else { return }
            guard let payload = try? JSONDecoder().decode(StreamEvent.self, from: Data(event.data.utf8)) else {
                throw ProviderError.malformedResponse("a stream event is not JSON")
            }
            switch payload.type {
            case "message_start":
                inputTokens = payload.message?.usage?.inputTokens ?? inputTokens
                outputTokens = payload.message?.usage?.outputTokens ?? outputTokens
            case "content_block_delta":
                if let piece = payload.delta?.text, !piece.isEmpty {
                    text += piece
                    try await onText(piece)
                }
            case "message_delta":
                outputTokens = payload.usage?.outputTokens ?? outputTokens
                stopReason = payload.delta?.stopReason ?? stopReason
            case "message_stop":
                stopped = true
            case "error":
                let message = http.scrub(payload.error?.message ?? "stream error")
                if payload.error?.type == "rate_limit_error" { throw ProviderError.rateLimited(retryAfter: nil) }
                throw ProviderError.server(status: payload.error?.type == "overloaded_error" ? 529 : 500, message: message)
            default:
                break  // ping, content_block_start, content_block_stop
            }
        }
        // A stop reason says the model finished even when the stream closes before message_stop.
        guard stopped || stopReason != nil else { throw ProviderError.transport("the stream ended before message_stop") }
        let usage = inputTokens.map { TokenUsage(inputTokens: $0, outputTokens: outputTokens ?? 0, estimated: false) }
        return ChatResponse(text: text, usage: usage, finishReason: stopReason)
    }

    var headers: [(String, String)] {
        [("anthropic-version", Self.apiVersion)] + (http.endpoint.apiKey.map { [("x-api-key", $0)] } ?? [])
    }

    func body(_ request: ChatRequest, stream: Bool) throws -> Data {
        let body: [String: Any] = [
            "model": request.model, "system": request.system, "max_tokens": request.maxOutputTokens,
            "temperature": request.temperature, "stream": stream,
            "messages": request.messages.map { ["role": $0.role.rawValue, "content": $0.content] },
        ]
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    struct Usage: Decodable {
        let inputTokens: Int?
        let outputTokens: Int?
        enum CodingKeys: String, CodingKey { case inputTokens = "input_tokens", outputTokens = "output_tokens" }
        var tokens: TokenUsage? {
            guard let inputTokens, let outputTokens else { return nil }
            return TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens, estimated: false)
        }
    }

    struct Block: Decodable {
        let type: String
        let text: String?
    }

    struct Message: Decodable {
        let content: [Block]?
        let usage: Usage?
        let stopReason: String?
        enum CodingKeys: String, CodingKey { case content, usage, stopReason = "stop_reason" }
    }

    struct StreamEvent: Decodable {
        struct Delta: Decodable {
            let text: String?
            let stopReason: String?
            enum CodingKeys: String, CodingKey { case text, stopReason = "stop_reason" }
        }
        struct Failure: Decodable {
            let type: String?
            let message: String?
        }
        let type: String
        let message: Message?
        let delta: Delta?
        let usage: Usage?
        let error: Failure?
    }
}
