import ArbiterCore
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler that writes one line per message to a file descriptor, as JSON or as text.
///
/// Each line goes out in a single `write(2)`, so lines from concurrent requests never interleave and nothing
/// sits in a buffer when the process dies. Lines are rendered straight into bytes: this runs once per request.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let format: ArbiterConfiguration.LogFormat
    private let fileDescriptor: Int32

    public init(
        label: String, level: Logger.Level, format: ArbiterConfiguration.LogFormat, fileDescriptor: Int32 = STDOUT_FILENO,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.fileDescriptor = fileDescriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Entries of the event win over the provider's, which win over the logger's. Collected into a sorted array
        // rather than a merged dictionary: this runs once per request.
        let provided = metadataProvider?.get() ?? [:]
        let extra = event.metadata ?? [:]
        var entries: [(key: String, value: Logger.MetadataValue)] = []
        entries.reserveCapacity(metadata.count + provided.count + extra.count)
        entries.append(contentsOf: extra.lazy.map { ($0.key, $0.value) })
        entries.append(contentsOf: provided.lazy.filter { extra[$0.key] == nil }.map { ($0.key, $0.value) })
        entries.append(contentsOf: metadata.lazy.filter { extra[$0.key] == nil && provided[$0.key] == nil }.map { ($0.key, $0.value) })
        entries.sort { $0.key < $1.key }
        var line = render(level: event.level, message: "\(event.message)", entries: entries, time: Date())
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0, errno == EINTR { continue }
                    return  // Nowhere left to report a failed log write.
                }
                offset += written
            }
        }
    }

    /// The line for one entry, without its newline; `entries` come sorted by key so lines are stable.
    func render(level: Logger.Level, message: String, entries: [(key: String, value: Logger.MetadataValue)], time: Date) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        switch format {
        case .json:
            line.append(contentsOf: #"{"ts":""#.utf8)
            Timestamp.append(time, to: &line)
            line.append(contentsOf: #"","level":""#.utf8)
            line.append(contentsOf: level.rawValue.utf8)
            line.append(contentsOf: #"","msg":"#.utf8)
            Self.appendJSONString(message, to: &line)
            line.append(contentsOf: #","logger":"#.utf8)
            Self.appendJSONString(label, to: &line)
            for (key, value) in entries {
                line.append(UInt8(ascii: ","))
                Self.appendJSONString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                Self.appendJSON(value, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        case .text:
            Timestamp.append(time, to: &line)
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: level.rawValue.uppercased().utf8)
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: message.utf8)
            for (key, value) in entries {
                line.append(contentsOf: " \(key)=\(value)".utf8)
            }
        }
        return line
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let string):
            appendJSONString(string, to: &line)
        case .stringConvertible(let convertible):
            // Numbers stay numbers, so log queries can compare them. Concrete casts: this runs for every request.
            switch convertible {
            case let number as Int: line.append(contentsOf: number.description.utf8)
            case let number as Double where number.isFinite: line.append(contentsOf: number.description.utf8)
            case let number as Int64: line.append(contentsOf: number.description.utf8)
            case let number as UInt: line.append(contentsOf: number.description.utf8)
            default: appendJSONString(convertible.description, to: &line)
            }
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendJSON(element, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            line.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendJSONString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                appendJSON(members[key]!, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F
    }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendJSONString(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        // Most values need no escaping at all: copy them whole.
        if !text.utf8.contains(where: Self.needsEscaping) {
            line.append(contentsOf: text.utf8)
            line.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(hex[Int(byte >> 4)])
                line.append(hex[Int(byte & 0x0F)])
            default:
                // UTF-8 bytes of other characters are valid inside a JSON string as they are.
                line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }
}

/// RFC 3339 UTC timestamps with milliseconds, e.g. `2026-11-23T14:54:47.123Z`.
///
/// The part up to the seconds is cached, since consecutive lines almost always share it.
enum Timestamp {
    private struct Cached {
        var second: Int64
        var prefix: [UInt8]
    }

    private static let cache = Mutex(Cached(second: .min, prefix: []))

    static func append(_ date: Date, to line: inout [UInt8]) {
        let milliseconds = date.unixMilliseconds
        let second = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let prefix = cache.withLock { cached -> [UInt8] in
            if cached.second != second { cached = Cached(second: second, prefix: makePrefix(second)) }
            return cached.prefix
        }
        line.append(contentsOf: prefix)
        let fraction = Int(milliseconds - second * 1000)
        line.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        line.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        line.append(UInt8(ascii: "0") + UInt8(fraction % 10))
        line.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DDTHH:MM:SS.` for the given second since 1970.
    private static func makePrefix(_ second: Int64) -> [UInt8] {
        var seconds = time_t(second)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
        return Array(text.utf8)
    }
}
