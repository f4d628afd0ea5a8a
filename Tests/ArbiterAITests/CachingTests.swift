import ArbiterAI
import Testing

@Suite("Response cache")
struct ResponseCacheTests {
    @Test("least recently used goes first when the entry bound is reached")
    func lru() {
        let cache = ResponseCache(maxEntries: 2, maxBytes: 1 << 20, ttl: .seconds(60), time: ManualTimeSource())
        cache.insert("1", for: "a")
        cache.insert("2", for: "b")
        #expect(cache.value(for: "a") == "1")
        cache.insert("3", for: "c")
        #expect(cache.value(for: "b") == nil)
        #expect(cache.value(for: "a") == "1")
        #expect(cache.value(for: "c") == "3")
        let statistics = cache.statistics
        #expect(statistics.hits == 3 && statistics.misses == 1 && statistics.entries == 2 && statistics.evictions == 1)
    }

    @Test("entries expire after the time to live")
    func ttl() {
        let time = ManualTimeSource()
        let cache = ResponseCache(maxEntries: 10, maxBytes: 1 << 20, ttl: .seconds(60), time: time)
        cache.insert("v", for: "k")
        time.advance(by: .seconds(59))
        #expect(cache.value(for: "k") == "v")
        time.advance(by: .seconds(1))
        #expect(cache.value(for: "k") == nil)
        #expect(cache.statistics.entries == 0)
    }

    @Test("the byte bound evicts as many as needed; a value larger than the bound is not stored")
    func bytes() {
        let cache = ResponseCache(maxEntries: 100, maxBytes: 100, ttl: .seconds(60), time: ManualTimeSource())
        for index in 0..<4 { cache.insert(String(repeating: "x", count: 20), for: "k\(index)") }  // 22 bytes each
        #expect(cache.statistics.bytes == 88)
        cache.insert(String(repeating: "y", count: 40), for: "big")
        #expect(cache.statistics.bytes <= 100)
        #expect(cache.value(for: "k0") == nil && cache.value(for: "k1") == nil)
        #expect(cache.value(for: "big") != nil)
        cache.insert(String(repeating: "z", count: 200), for: "huge")
        #expect(cache.value(for: "huge") == nil)
        cache.insert("new", for: "big")
        #expect(cache.value(for: "big") == "new")
    }

    @Test("many tasks reading and writing keep the bounds and the counters consistent")
    func concurrent() async {
        let cache = ResponseCache(maxEntries: 64, maxBytes: 4_096, ttl: .seconds(60), time: ManualTimeSource())
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for index in 0..<500 {
                        let key = "k\((task * 7 + index) % 128)"
                        if cache.value(for: key) == nil { cache.insert("value \(index)", for: key) }
                    }
                }
            }
        }
        let statistics = cache.statistics
        #expect(statistics.entries <= 64 && statistics.bytes <= 4_096)
        #expect(statistics.hits + statistics.misses == 16 * 500)
    }
}

@Suite("Tokens and chunks")
struct ChunkerTests {
    @Test("estimates are never below a quarter of the bytes")
    func estimate() {
        for text in ["", "a", "let x = 1", String(repeating: "word ", count: 1_000), "日本語のコメント"] {
            #expect(TokenEstimator.estimate(text) * 4 >= text.utf8.count || text.unicodeScalars.contains { !$0.isASCII })
        }
        #expect(TokenEstimator.estimate("日本") == 2)
    }

    @Test("small files share a chunk; a large one is split at lines with correct first lines and nothing lost")
    func split() throws {
        let big = (1...300).map { "line number \($0) of the big file" }.joined(separator: "\n") + "\n"
        let files = [ChunkFile(path: "a.py", language: "python", text: "x = 1\n"), ChunkFile(path: "b.py", language: "python", text: "y = 2\n"),
                     ChunkFile(path: "big.py", language: "python", text: big)]
        let chunks = try Chunker.chunks(files, budget: 800)
        #expect(chunks.first?.files.map(\.path).prefix(2) == ["a.py", "b.py"])
        #expect(chunks.allSatisfy { $0.estimatedTokens <= 800 })
        let pieces = chunks.flatMap(\.files).filter { $0.path == "big.py" }
        #expect(pieces.count > 1)
        #expect(pieces.map(\.text).joined() == big)
        var expected = 1
        for piece in pieces {
            #expect(piece.firstLine == expected)
            expected += piece.text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        }
    }

    @Test("a file without a final newline splits back to itself")
    func noFinalNewline() throws {
        let text = (1...100).map { "value_\($0)" }.joined(separator: "\n")
        let pieces = try Chunker.chunks([ChunkFile(path: "c.go", language: "go", text: text)], budget: 100).flatMap(\.files)
        #expect(pieces.count > 1)
        #expect(pieces.map(\.text).joined() == text)
    }

    @Test("one line over the budget cannot fit and says where it is")
    func cannotFit() {
        let text = "ok\n" + String(repeating: "a", count: 3_000) + "\n"
        #expect(throws: ChunkingError.self) { try Chunker.chunks([ChunkFile(path: "min.js", language: "javascript", text: text)], budget: 200) }
        do {
            _ = try Chunker.chunks([ChunkFile(path: "min.js", language: "javascript", text: text)], budget: 200)
        } catch {
            #expect(error.path == "min.js" && error.line == 2)
        }
    }
}
