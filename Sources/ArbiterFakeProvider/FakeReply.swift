/// What the fake provider does with one request.
public enum FakeReply: Sendable, Equatable {
    /// Answers `text` in the wire format of the route, streamed when the request asks for it. `usage` is reported
    /// when set (input, output tokens); `latency` passes before the answer starts.
    case answer(String, usage: FakeUsage? = FakeUsage(input: 100, output: 20), latency: Duration = .zero)
    /// Answers with this status and body (`429` with `Retry-After`, `500`, `401` …).
    case status(Int, body: String = #"{"error":{"message":"fake failure"}}"#, headers: [String: String] = [:])
    /// Answers `200` with this body, which is not the wire format.
    case malformed(String)
    /// Streams the first half of the answer, then closes without the end marker.
    case truncatedStream(String)
    /// Streams the answer a few characters at a time with `interval` between pieces.
    case trickle(String, interval: Duration)
    /// Never answers (until the client gives up or the server shuts down).
    case hang
    /// Answers `200` as a server-sent event stream with exactly these chunks, whatever the request asked for.
    case rawStream([String])
}

/// Token counts the fake reports.
public struct FakeUsage: Sendable, Equatable {
    public var input: Int
    public var output: Int

    public init(input: Int, output: Int) {
        self.input = input
        self.output = output
    }
}

/// A request the fake received.
public struct FakeRequest: Sendable {
    public let path: String
    /// Header names in lower case.
    public let headers: [String: String]
    public let body: String
    public let streaming: Bool
}
