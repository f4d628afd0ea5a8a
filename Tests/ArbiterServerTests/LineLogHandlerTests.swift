import ArbiterCore
@testable import ArbiterServer
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Log lines")
struct LineLogHandlerTests {
    /// Logs through a real pipe and returns the lines written.
    func capture(format: ArbiterConfiguration.LogFormat, _ body: (Logger) -> Void) throws -> [String] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        var logger = Logger(label: "arbiter") { label in LineLogHandler(label: label, level: .info, format: format, fileDescriptor: fds[1]) }
        logger[metadataKey: "request_id"] = "req-1"
        body(logger)
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("JSON lines parse, carry metadata, keep numbers as numbers and escape what needs escaping")
    func jsonLines() throws {
        let lines = try capture(format: .json) { logger in
            logger.info("hello \"world\"\n\u{1}", metadata: ["http.status": .stringConvertible(200), "path": "/a\\b", "nested": ["k": "v"]])
            logger.debug("filtered out")
        }
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "hello \"world\"\n\u{1}")
        #expect(object["level"] as? String == "info")
        #expect(object["request_id"] as? String == "req-1")
        #expect(object["http.status"] as? Int == 200)
        #expect(object["path"] as? String == "/a\\b")
        #expect((object["nested"] as? [String: String])?["k"] == "v")
        let timestamp = try #require(object["ts"] as? String)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"))
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: timestamp) != nil)
    }

    @Test("text lines read as time, level, message and key=value pairs")
    func textLines() throws {
        let lines = try capture(format: .text) { logger in logger.warning("disk low", metadata: ["free": "3%"]) }
        #expect(lines.count == 1)
        #expect(lines[0].contains(" WARNING disk low "))
        #expect(lines[0].hasSuffix("free=3% request_id=req-1"))
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

@Suite("Request ids")
struct RequestIDTests {
    @Test("generated ids are always 32 lowercase hex digits and never repeat, also across threads")
    func generatedIDs() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<2000).map { _ in RequestIDGenerator.next() } }
            }
            return await group.reduce(into: [String]()) { $0.append(contentsOf: $1) }
        }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
    }
}

@Suite("Client addresses")
struct ClientAddressTests {
    @Test("IPv4 addresses are their own bucket; IPv6 addresses share their /64")
    func buckets() {
        #expect(ClientInfoMiddleware.bucket(for: "203.0.113.7") == "203.0.113.7")
        #expect(ClientInfoMiddleware.bucket(for: "2001:db8:1:2:aaaa::1") == ClientInfoMiddleware.bucket(for: "2001:db8:1:2:bbbb::9"))
        #expect(ClientInfoMiddleware.bucket(for: "2001:db8:1:2::1") == "2001:db8:1:2::/64")
        #expect(ClientInfoMiddleware.bucket(for: "2001:db8:1:3::1") != ClientInfoMiddleware.bucket(for: "2001:db8:1:2::1"))
        #expect(ClientInfoMiddleware.bucket(for: "::ffff:198.51.100.4") == "198.51.100.4")
    }
}
