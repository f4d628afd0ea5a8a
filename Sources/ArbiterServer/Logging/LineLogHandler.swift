import ArbiterCore
import Foundation
import Logging

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
/// sits in a buffer when the process dies.
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
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = render(level: event.level, message: "\(event.message)", metadata: merged, time: Date())
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
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

    func render(level: Logger.Level, message: String, metadata: Logger.Metadata, time: Date) -> String {
        let timestamp = Self.timestamp(time)
        switch format {
        case .json:
            var line = "{\"ts\":\"\(timestamp)\",\"level\":\"\(level.rawValue)\",\"msg\":"
            Self.appendJSONString(message, to: &line)
            line += ",\"logger\":"
            Self.appendJSONString(label, to: &line)
            for key in metadata.keys.sorted() {
                line += ","
                Self.appendJSONString(key, to: &line)
                line += ":"
                Self.appendJSON(metadata[key]!, to: &line)
            }
            return line + "}"
        case .text:
            var line = "\(timestamp) \(level.rawValue.uppercased()) \(message)"
            for key in metadata.keys.sorted() {
                line += " \(key)=\(metadata[key]!)"
            }
            return line
        }
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string):
            appendJSONString(string, to: &line)
        case .stringConvertible(let convertible):
            // Numbers stay numbers, so log queries can compare them.
            if convertible is any BinaryInteger || (convertible as? Double)?.isFinite == true {
                line += convertible.description
            } else {
                appendJSONString(convertible.description, to: &line)
            }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendJSON(element, to: &line)
            }
            line += "]"
        case .dictionary(let members):
            line += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendJSONString(key, to: &line)
                line += ":"
                appendJSON(members[key]!, to: &line)
            }
            line += "}"
        }
    }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendJSONString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F:
                let hex = String(control.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-23T14:54:47.123Z`.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = date.unixMilliseconds
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds % 1000), 3))Z"
    }
}
