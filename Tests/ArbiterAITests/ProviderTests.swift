import ArbiterAI
import ArbiterFakeProvider
import Foundation
import Synchronization
import Testing

/// The two wire formats against a real HTTP server on loopback.
@Suite("Providers")
struct ProviderTests {
    static let key = "sk-test-5f1c0d9e8b7a6f5e4d3c2b1a"

    static func provider(_ kind: ProviderKind, _ fake: FakeModelServer, clients: HTTPClients, timeouts: ProviderEndpoint.Timeouts = .init())
        -> any ModelProvider
    {
        let base = kind == .openAI ? fake.openAIBaseURL : fake.anthropicBaseURL
        return ModelGateway.standardProvider(ProviderEndpoint(kind: kind, baseURL: base, apiKey: key, timeouts: timeouts), clients)
    }

    static let request = ChatRequest(model: "model-a", system: "be brief", messages: [ChatMessage(.user, "hello")], maxOutputTokens: 256)

    @Test("a complete answer carries the text and the usage; the request carries the key, model, system prompt and limits", arguments: ProviderKind.allCases)
    func complete(kind: ProviderKind) async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                fake.script([.answer("the answer", usage: FakeUsage(input: 42, output: 7))])
                let response = try await Self.provider(kind, fake, clients: clients).complete(Self.request)
                #expect(response.text == "the answer")
                #expect(response.usage == TokenUsage(inputTokens: 42, outputTokens: 7, estimated: false))
                let sent = try #require(fake.requests.first)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
                #expect(body["model"] as? String == "model-a")
                #expect(body["max_tokens"] as? Int == 256)
                #expect(sent.streaming == false)
                switch kind {
                case .openAI:
                    #expect(sent.path == "/v1/chat/completions")
                    #expect(sent.headers["authorization"] == "Bearer \(Self.key)")
                    let messages = try #require(body["messages"] as? [[String: Any]])
                    #expect(messages.first?["role"] as? String == "system")
                    #expect(messages.first?["content"] as? String == "be brief")
                case .anthropic:
                    #expect(sent.path == "/v1/messages")
                    #expect(sent.headers["x-api-key"] == Self.key)
                    #expect(sent.headers["anthropic-version"] == "2023-06-01")
                    #expect(body["system"] as? String == "be brief")
                }
            }
        }
    }

    @Test("a streamed answer arrives in pieces and is assembled, with usage", arguments: ProviderKind.allCases)
    func stream(kind: ProviderKind) async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                let text = String(repeating: "0123456789", count: 10)
                fake.script([.answer(text, usage: FakeUsage(input: 11, output: 22))])
                let pieces = Pieces()
                let response = try await Self.provider(kind, fake, clients: clients).stream(Self.request) { pieces.append($0) }
                #expect(response.text == text)
                #expect(pieces.all.count > 1)
                #expect(pieces.all.joined() == text)
                #expect(response.usage == TokenUsage(inputTokens: 11, outputTokens: 22, estimated: false))
                #expect(fake.requests.first?.streaming == true)
            }
        }
    }

    @Test("a stream that stops before its end marker is a transport error (retryable)", arguments: ProviderKind.allCases)
    func truncated(kind: ProviderKind) async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                fake.script([.truncatedStream(String(repeating: "x", count: 200))])
                await #expect {
                    _ = try await Self.provider(kind, fake, clients: clients).stream(Self.request) { _ in }
                } throws: { error in
                    guard case .transport = error as? ProviderError else { return false }
                    return (error as? ProviderError)?.isRetryable == true
                }
            }
        }
    }

    @Test("statuses are classified: 429 with Retry-After, 5xx, 4xx, a body that is not the wire format", arguments: ProviderKind.allCases)
    func failures(kind: ProviderKind) async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                let provider = Self.provider(kind, fake, clients: clients)
                fake.script([
                    .status(429, headers: ["Retry-After": "2"]), .status(503), .status(400, body: #"{"error":{"message":"bad model"}}"#),
                    .malformed("<html>gateway</html>"),
                ])
                await #expect(throws: ProviderError.rateLimited(retryAfter: .seconds(2))) { try await provider.complete(Self.request) }
                await #expect(throws: ProviderError.server(status: 503, message: "fake failure")) { try await provider.complete(Self.request) }
                await #expect(throws: ProviderError.client(status: 400, message: "bad model")) { try await provider.complete(Self.request) }
                await #expect {
                    try await provider.complete(Self.request)
                } throws: { error in
                    if case .malformedResponse = error as? ProviderError { return true }
                    return false
                }
            }
        }
    }

    @Test("variations real servers send: content as parts, an error object in a 200, a stream with a finish reason but no [DONE]")
    func openAIVariations() async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                let provider = Self.provider(.openAI, fake, clients: clients)
                fake.script([
                    .malformed(#"{"choices":[{"message":{"role":"assistant","content":[{"type":"text","text":"from "},{"type":"text","text":"parts"}]},"finish_reason":"stop"}]}"#),
                    .malformed(#"{"error":{"message":"upstream overloaded","type":"server_error"}}"#),
                    .rawStream([#"data: {"choices":[{"delta":{"content":"no done"},"finish_reason":null}]}"# + "\n\n",
                                #"data: {"choices":[{"delta":{},"finish_reason":"stop"}]}"# + "\n\n"]),
                ])
                #expect(try await provider.complete(Self.request).text == "from parts")
                await #expect {
                    try await provider.complete(Self.request)
                } throws: { error in
                    guard case .server(let status, let message) = error as? ProviderError else { return false }
                    return status == 502 && message.contains("upstream overloaded") && (error as? ProviderError)?.isRetryable == true
                }
                let streamed = try await provider.stream(Self.request) { _ in }
                #expect(streamed.text == "no done")
                #expect(streamed.finishReason == "stop")
            }
        }
    }

    @Test("a provider that does not answer within the read timeout is a timeout")
    func readTimeout() async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                fake.script([.hang])
                let provider = Self.provider(.openAI, fake, clients: clients, timeouts: .init(connect: .seconds(2), read: .milliseconds(200), total: .seconds(5)))
                await #expect {
                    try await provider.complete(Self.request)
                } throws: { error in
                    if case .timeout = error as? ProviderError { return true }
                    return false
                }
            }
        }
    }

    @Test("a stream that keeps trickling is cut at the total timeout, even though data keeps arriving", arguments: ProviderKind.allCases)
    func totalTimeout(kind: ProviderKind) async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                fake.script([.trickle(String(repeating: "z", count: 16 * 1_000), interval: .milliseconds(10))])
                let provider = Self.provider(kind, fake, clients: clients, timeouts: .init(connect: .seconds(2), read: .seconds(2), total: .milliseconds(400)))
                let started = ContinuousClock.now
                await #expect {
                    _ = try await provider.stream(Self.request) { _ in }
                } throws: { error in
                    if case .timeout = error as? ProviderError { return true }
                    return false
                }
                // The stream would take 160 s; a generous bound still shows it was cut, also on a busy machine.
                #expect(ContinuousClock.now - started < .seconds(30))
            }
        }
    }

    @Test("the key never appears in an error, even when the provider echoes it back", arguments: ProviderKind.allCases)
    func keyNotInErrors(kind: ProviderKind) async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                fake.script([
                    .status(401, body: #"{"error":{"message":"invalid key \#(Self.key) (Bearer \#(Self.key))"}}"#),
                    .status(500, body: "upstream said: \(Self.key)"), .malformed("echo \(Self.key)"),
                ])
                let provider = Self.provider(kind, fake, clients: clients)
                for _ in 0..<3 {
                    do {
                        _ = try await provider.complete(Self.request)
                        Issue.record("expected an error")
                    } catch {
                        #expect(!"\(error)".contains(Self.key))
                        #expect(!((error as? ProviderError)?.message.contains(Self.key) ?? true))
                    }
                }
            }
        }
    }

    @Test("cancelling the caller cancels the upstream stream", arguments: ProviderKind.allCases)
    func cancellation(kind: ProviderKind) async throws {
        try await withClients { clients in
            try await FakeModelServer.run { fake in
                fake.script([.trickle(String(repeating: "slow ", count: 400), interval: .milliseconds(50))])
                let provider = Self.provider(kind, fake, clients: clients)
                let pieces = Pieces()
                let call = Task { try await provider.stream(Self.request) { pieces.append($0) } }
                while pieces.all.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                call.cancel()
                await #expect(throws: CancellationError.self) { try await call.value }
                // The fake notices when its next write fails.
                for _ in 0..<200 where fake.abandoned == 0 { try await Task.sleep(for: .milliseconds(25)) }
                #expect(fake.abandoned == 1)
            }
        }
    }
}

/// Collects streamed pieces from a `@Sendable` callback.
final class Pieces: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ piece: String) { storage.withLock { $0.append(piece) } }
    var all: [String] { storage.withLock { $0 } }
}

/// Runs `body` with HTTP clients that are shut down afterwards.
func withClients<T: Sendable>(_ body: (HTTPClients) async throws -> T) async throws -> T {
    let clients = HTTPClients()
    do {
        let result = try await body(clients)
        await clients.shutdown()
        return result
    } catch {
        await clients.shutdown()
        throw error
    }
}
