import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A model provider for tests and benchmarks: a real HTTP server on loopback speaking OpenAI chat completions
/// (`POST /v1/chat/completions`) and Anthropic Messages (`POST /v1/messages`), streaming and not. Each request takes
/// the next scripted ``FakeReply``, or the default one when the script is empty; every request is recorded.
public final class FakeModelServer: Sendable {
    private struct State {
        var script: [FakeReply] = []
        var defaultReply: FakeReply = .answer(#"{"findings":[]}"#)
        var requests: [FakeRequest] = []
        var abandoned = 0
        var inFlight = 0
        var maxInFlight = 0
    }

    private let state = Mutex(State())
    private let closing = Mutex(false)
    /// The port it listens on, on 127.0.0.1.
    public let port: Int

    init(port: Int) {
        self.port = port
    }

    /// The OpenAI-compatible base URL (`http://127.0.0.1:PORT/v1`).
    public var openAIBaseURL: String { "http://127.0.0.1:\(port)/v1" }
    /// The Anthropic base URL (`http://127.0.0.1:PORT`).
    public var anthropicBaseURL: String { "http://127.0.0.1:\(port)" }

    /// Replies for the next requests, in order.
    public func script(_ replies: [FakeReply]) { state.withLock { $0.script += replies } }
    /// The reply once the script is used up.
    public func setDefault(_ reply: FakeReply) { state.withLock { $0.defaultReply = reply } }
    public var requests: [FakeRequest] { state.withLock { $0.requests } }
    public var requestCount: Int { state.withLock { $0.requests.count } }
    /// Streams the client stopped reading before they ended (a cancelled upstream call).
    public var abandoned: Int { state.withLock { $0.abandoned } }
    /// The most requests it was serving at once.
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }

    /// Runs a fake on a free loopback port for the duration of `body`.
    public static func run<T: Sendable>(
        host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "fake-provider"), _ body: (FakeModelServer) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let holder = Mutex<FakeModelServer?>(nil)
        let router = Router()
        router.post("/v1/chat/completions") { request, context in
            try await holder.withLock { $0! }.handle(request, context: context, format: .openAI)
        }
        router.post("/v1/messages") { request, context in
            try await holder.withLock { $0! }.handle(request, context: context, format: .anthropic)
        }
        var quiet = logger
        quiet.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        let group = ServiceGroup(services: [app], logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port != 0 else { throw CancellationError() }
            let server = FakeModelServer(port: port)
            holder.withLock { $0 = server }
            do {
                let result = try await body(server)
                server.closing.withLock { $0 = true }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                server.closing.withLock { $0 = true }
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    enum Format { case openAI, anthropic }

    private func handle(_ request: Request, context: BasicRequestContext, format: Format) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 << 20)
        let body = String(buffer: buffer)
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        let streaming = object?["stream"] as? Bool ?? false
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let reply = state.withLock { state -> FakeReply in
            state.requests.append(FakeRequest(path: request.uri.path, headers: headers, body: body, streaming: streaming))
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            return state.script.isEmpty ? state.defaultReply : state.script.removeFirst()
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        let model = object?["model"] as? String ?? "fake"
        switch reply {
        case .answer(let text, let usage, let latency):
            if latency > .zero { try await Task.sleep(for: latency) }
            return streaming
                ? stream(FakeWire.events(format, text: text, usage: usage, model: model, complete: true), interval: .zero)
                : json(FakeWire.complete(format, text: text, usage: usage, model: model))
        case .status(let code, let text, let extra):
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in extra { if let name = HTTPField.Name(name) { fields[name] = value } }
            return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
        case .malformed(let text):
            return streaming ? stream(["data: \(text)\n\n"], interval: .zero) : json(text)
        case .truncatedStream(let text):
            let events = FakeWire.events(format, text: text, usage: nil, model: model, complete: false)
            return stream(Array(events.prefix(max(1, events.count / 2))), interval: .zero)
        case .trickle(let text, let interval):
            return streaming
                ? stream(FakeWire.events(format, text: text, usage: nil, model: model, complete: true), interval: interval)
                : json(FakeWire.complete(format, text: text, usage: nil, model: model))
        case .rawStream(let chunks):
            return stream(chunks, interval: .zero)
        case .hang:
            while !closing.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            return Response(status: .serviceUnavailable)
        }
    }

    private func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func stream(_ events: [String], interval: Duration) -> Response {
        let body = ResponseBody { writer in
            do {
                for event in events {
                    if interval > .zero { try await Task.sleep(for: interval) }
                    try await writer.write(ByteBuffer(string: event))
                }
                try await writer.finish(nil)
            } catch {
                self.state.withLock { $0.abandoned += 1 }
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: body)
    }
}
