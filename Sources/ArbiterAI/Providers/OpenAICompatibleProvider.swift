import Foundation

/// OpenAI chat completions (`POST {base}/chat/completions`), which OpenAI, Ollama, vLLM, llama.cpp server,
/// LM Studio and most hosted gateways speak.
public struct OpenAICompatibleProvider: ModelProvider {
    let http: ProviderHTTP

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
        let response = try await http.post("/chat/completions", headers: headers, body: body(request, stream: false))
        let data = try await http.collect(response)
        guard let answer = try? JSONDecoder().decode(Completion.self, from: data) else {
            let text = String(decoding: data, as: UTF8.self)
            // Some gateways answer 200 with an error object; that is the provider failing, not a bad answer.
            if let message = Self.streamError(text) { throw ProviderError.server(status: 502, message: http.scrub("error in a 200 answer: \(message)")) }
            throw ProviderError.malformedResponse("not a chat completion: \(http.scrub(String(text.prefix(200))))")
        }
        guard let choice = answer.choices.first else { throw ProviderError.malformedResponse("the completion has no choices") }
        return ChatResponse(text: choice.message?.content ?? "", usage: answer.usage?.tokens, finishReason: choice.finishReason)
    }

    func streamNow(_ request: ChatRequest, onText: @Sendable (String) async throws -> Void) async throws -> ChatResponse {
        let response = try await http.post("/chat/completions", headers: headers, body: body(request, stream: true))
        var text = ""
        var usage: TokenUsage?
        var finishReason: String?
        var done = false
        try await http.events(response) { event in
            guard !done else { return }
            if event.data == "[DONE]" {
                done = true
                return
            }
            guard let chunk = try? JSONDecoder().decode(Completion.self, from: Data(event.data.utf8)) else {
                if let message = Self.streamError(event.data) { throw ProviderError.server(status: 500, message: http.scrub(message)) }
                throw ProviderError.malformedResponse("a stream event is not a completion chunk")
            }
            if let tokens = chunk.usage?.tokens { usage = tokens }
            for choice in chunk.choices {
                if let reason = choice.finishReason { finishReason = reason }
                if let piece = choice.delta?.content, !piece.isEmpty {
                    text += piece
                    try await onText(piece)
                }
            }
        }
        // A finish reason says the model finished even when a server leaves out the [DONE] marker.
        guard done || finishReason != nil else { throw ProviderError.transport("the stream ended before [DONE]") }
        return ChatResponse(text: text, usage: usage, finishReason: finishReason)
    }

    var headers: [(String, String)] {
        http.endpoint.apiKey.map { [("authorization", "Bearer \($0)")] } ?? []
    }

    func body(_ request: ChatRequest, stream: Bool) throws -> Data {
        var messages: [[String: Any]] = [["role": "system", "content": request.system]]
        messages += request.messages.map { ["role": $0.role.rawValue, "content": $0.content] }
        var body: [String: Any] = [
            "model": request.model, "messages": messages, "max_tokens": request.maxOutputTokens,
            "temperature": request.temperature, "stream": stream,
        ]
        if stream { body["stream_options"] = ["include_usage": true] }
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    static func streamError(_ data: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any], object["error"] != nil else { return nil }
        return ProviderHTTP.errorMessage(data)
    }

    struct Completion: Decodable {
        /// Content is a string, or (in some gateways) an array of parts whose text parts are joined.
        struct Message: Decodable {
            let content: String?

            struct Part: Decodable {
                let type: String?
                let text: String?
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
                    content = text
                } else if let parts = try? container.decodeIfPresent([Part].self, forKey: .content) {
                    content = parts.filter { $0.type == nil || $0.type == "text" }.compactMap(\.text).joined()
                } else {
                    content = nil
                }
            }

            enum CodingKeys: String, CodingKey { case content }
        }
        struct Choice: Decodable {
            let message: Message?
            let delta: Message?
            let finishReason: String?
            enum CodingKeys: String, CodingKey { case message, delta, finishReason = "finish_reason" }
        }
        struct Usage: Decodable {
            let promptTokens: Int?
            let completionTokens: Int?
            enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens" }
            var tokens: TokenUsage? {
                guard let promptTokens, let completionTokens else { return nil }
                return TokenUsage(inputTokens: promptTokens, outputTokens: completionTokens, estimated: false)
            }
        }
        let choices: [Choice]
        let usage: Usage?
    }
}
