import ArbiterAI
import Foundation
import Testing

@Suite("Finding parser")
struct FindingParserTests {
    static let files = ["app.py": 1...50]
    static let one = #"{"path":"app.py","line":3,"severity":"ERROR","category":"vuln","title":"t","message":"m","cwe":"cwe89","confidence":"HIGH"}"#

    @Test("the asked-for object, a bare array, fences and prose, trailing commas")
    func shapes() {
        for text in [
            #"{"findings":[\#(Self.one)]}"#, "[\(Self.one)]", "Here you go:\n```json\n{\"findings\": [\(Self.one)]}\n```\nThanks!",
            "{\"findings\":[\(Self.one),],}",
        ] {
            let parsed = FindingParser.parse(text, files: Self.files)
            #expect(parsed.findings.count == 1, "\(text)")
            let finding = parsed.findings.first
            #expect(finding?.severity == "high")
            #expect(finding?.category == "security")
            #expect(finding?.cwe == "CWE-89")
            #expect(finding?.confidence == "high")
        }
    }

    @Test("a cut answer keeps the complete findings before the cut")
    func truncated() {
        let text = #"{"findings":[\#(Self.one),\#(Self.one.replacingOccurrences(of: "\"line\":3", with: "\"line\":4")),{"path":"app.py","line":5,"mess"#
        let parsed = FindingParser.parse(text, files: Self.files)
        #expect(parsed.findings.map(\.line) == [3, 4])
        #expect(parsed.repaired)
    }

    @Test("unknown files, lines outside what was shown, missing fields and non-objects are dropped and counted")
    func dropped() {
        let text = #"""
            {"findings":[
              {"path":"other.py","line":1,"message":"x"}, {"path":"app.py","line":51,"message":"x"}, {"path":"app.py","message":"x"},
              {"path":"app.py","line":2}, 7, "text", {"path":"app.py","line":"9","message":"ok","severity":"nonsense","category":"style"}
            ]}
            """#
        let parsed = FindingParser.parse(text, files: Self.files)
        #expect(parsed.findings.count == 1)
        #expect(parsed.findings.first?.line == 9)
        #expect(parsed.findings.first?.severity == "medium")
        #expect(parsed.findings.first?.category == "quality")
        #expect(parsed.dropped == 6)
        #expect(!parsed.repaired)
    }

    @Test("common model habits are understood: ./paths, line ranges, start_line, file instead of path")
    func habits() {
        let text = #"""
            [{"path":"./app.py","line":"12-14","message":"a"},{"file":"app.py","start_line":20,"message":"b"},{"path":"app.py","line":"L7","message":"c"}]
            """#
        let parsed = FindingParser.parse(text, files: Self.files)
        #expect(parsed.findings.map(\.line) == [12, 20, 7])
        #expect(parsed.findings.allSatisfy { $0.path == "app.py" })
    }

    @Test("messages lose control characters and are capped")
    func cleaning() {
        let long = String(repeating: "m", count: 5_000)
        let text = #"[{"path":"app.py","line":1,"title":"a\u0007b","message":"\#(long)"}]"#
        let finding = FindingParser.parse(text, files: Self.files).findings.first
        #expect(finding?.title == "ab")
        #expect(finding?.message.count == 2_000)
    }

    @Test("no JSON, empty text and hostile nesting give nothing, quickly, without crashing")
    func hostile() {
        #expect(FindingParser.parse("", files: Self.files) == ParsedAnswer(findings: [], dropped: 0, repaired: false))
        #expect(FindingParser.parse("I found nothing wrong.", files: Self.files).findings.isEmpty)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(FindingParser.parse(deep, files: Self.files).findings.isEmpty)
        #expect(FindingParser.parse(String(repeating: "{\"a\":", count: 50_000), files: Self.files).findings.isEmpty)
    }

    @Test("10 000 mutated answers never crash and never invent findings outside what was shown")
    func fuzz() {
        var random = SplitMix64(state: 20_261_123)
        let base = Array(#"{"findings":[\#(Self.one),{"path":"app.py","line":7,"message":"two"}]}"#.utf8)
        let alphabet = Array(#"{}[]",:\ 0123456789abcdefnulltrue"#.utf8)
        for _ in 0..<10_000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            if Bool.random(using: &random) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random))) }
            let parsed = FindingParser.parse(String(decoding: bytes, as: UTF8.self), files: Self.files)
            #expect(parsed.findings.allSatisfy { $0.path == "app.py" && (1...50).contains($0.line) })
        }
    }
}

@Suite("Server-sent events")
struct SSEParserTests {
    static let stream = Array(
        ": comment\r\nevent: delta\r\ndata: {\"a\":1}\r\n\r\ndata: line one\ndata:line two\nid: 7\n\nevent: empty\n\ndata: é\rdata\r\r".utf8)
    static let expected = [
        SSEEvent(event: "delta", data: #"{"a":1}"#), SSEEvent(data: "line one\nline two", id: "7"), SSEEvent(data: "é\n", id: "7"),
    ]

    @Test("fields, comments, multi-line data, events without data, all three line endings")
    func whole() {
        var parser = SSEParser()
        #expect(parser.feed(Self.stream) + parser.finish() == Self.expected)
    }

    @Test("byte by byte and in random splits, including inside UTF-8 and between CR and LF, the result is the same")
    func splits() {
        var one = SSEParser()
        var bytewise: [SSEEvent] = []
        for byte in Self.stream { bytewise += one.feed([byte]) }
        #expect(bytewise + one.finish() == Self.expected)
        var random = SplitMix64(state: 9)
        for _ in 0..<200 {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            var offset = 0
            while offset < Self.stream.count {
                let length = Int.random(in: 1...7, using: &random)
                events += parser.feed(Self.stream[offset..<min(offset + length, Self.stream.count)])
                offset += length
            }
            #expect(events + parser.finish() == Self.expected)
        }
    }

    @Test("an event without a closing blank line is dispatched by finish")
    func finish() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: [DONE]".utf8)).isEmpty)
        #expect(parser.finish() == [SSEEvent(data: "[DONE]")])
    }
}
