/// One server-sent event.
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: String
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// An incremental parser for `text/event-stream` (WHATWG HTML, "Parsing an event stream"): bytes go in as they
/// arrive, split anywhere; complete events come out. Lines end in LF, CRLF or CR; `:` lines are comments; `data`
/// lines join with LF; a blank line dispatches. An event may buffer at most 4 MiB; beyond that its data is dropped
/// and ``overflowed`` is set.
public struct SSEParser: Sendable {
    static let maximumEventBytes = 4 << 20

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var event: String?
    private var id: String?
    private var data: [UInt8] = []
    private var hasData = false
    private var buffered = 0
    /// Whether an event exceeded the buffer limit (its excess was dropped).
    public private(set) var overflowed = false

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            switch byte {
            case 0x0A:
                if lastWasCR {
                    lastWasCR = false
                    continue
                }
                endLine(into: &events)
            case 0x0D:
                lastWasCR = true
                endLine(into: &events)
            default:
                lastWasCR = false
                if buffered < Self.maximumEventBytes {
                    line.append(byte)
                    buffered += 1
                } else {
                    overflowed = true
                }
            }
        }
        return events
    }

    /// Dispatches a last event that was not followed by a blank line.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty { endLine(into: &events) }
        if hasData { dispatch(into: &events) }
        return events
    }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            dispatch(into: &events)
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            event = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        default:
            break  // retry and unknown fields do not matter to a client of model providers
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        if hasData { events.append(SSEEvent(event: event, data: String(decoding: data, as: UTF8.self), id: id)) }
        event = nil
        data.removeAll(keepingCapacity: true)
        hasData = false
        buffered = 0
    }
}
