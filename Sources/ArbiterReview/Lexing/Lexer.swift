/// What a byte of source text belongs to.
enum Region: UInt8 {
    case code = 0
    case comment = 1
    case string = 2
}

/// A small lexer per language family that tells code apart from comments and string literals, so rules do not
/// fire on a dangerous word in a comment or in a message. It does not parse: it only tracks where comments and
/// string literals start and end. An opening quote counts as code (it is where a literal begins); the literal's
/// contents and its closing quote count as string.
struct Lexer {
    let syntax: Syntax
    private let starts: [Bool]

    init(language: Language) {
        syntax = Syntax(language)
        starts = syntax.startBytes
    }

    /// The region of every byte of `bytes`.
    func regions(of bytes: [UInt8]) -> [UInt8] {
        var regions = [UInt8](repeating: Region.code.rawValue, count: bytes.count)
        let count = bytes.count
        var index = 0
        var atLineStart = true
        bytes.withUnsafeBufferPointer { source in
            regions.withUnsafeMutableBufferPointer { marks in
                func mark(_ range: Range<Int>, _ region: Region) {
                    for position in range { marks[position] = region.rawValue }
                }
                func startsWith(_ token: [UInt8], at position: Int) -> Bool {
                    guard position + token.count <= count else { return false }
                    for offset in 0..<token.count where source[position + offset] != token[offset] { return false }
                    return true
                }
                func endOfLine(from position: Int) -> Int {
                    var end = position
                    while end < count, source[end] != 0x0A { end += 1 }
                    return end
                }
                while index < count {
                    let byte = source[index]
                    if byte == 0x0A { atLineStart = true; index += 1; continue }
                    let lineStart = atLineStart
                    if byte != 0x20, byte != 0x09 { atLineStart = false }
                    // Most bytes cannot begin a comment or a literal: skip them without further checks.
                    guard starts[Int(byte)] else { index += 1; continue }
                    // Ruby's =begin … =end block comments start at the beginning of a line.
                    if syntax.rubyBlockComments, lineStart, startsWith(Self.rubyBegin, at: index) {
                        var end = endOfLine(from: index)
                        while end < count {
                            let next = end + 1
                            if startsWith(Self.rubyEnd, at: next) { end = endOfLine(from: next); break }
                            end = endOfLine(from: next)
                        }
                        mark(index..<end, .comment)
                        index = end
                        continue
                    }
                    if syntax.lineComments.contains(where: { startsWith($0, at: index) }) {
                        let end = endOfLine(from: index)
                        mark(index..<end, .comment)
                        index = end
                        continue
                    }
                    if let block = syntax.blockComment, startsWith(block.open, at: index) {
                        var depth = 1
                        var position = index + block.open.count
                        while position < count, depth > 0 {
                            if startsWith(block.close, at: position) {
                                depth -= 1
                                position += block.close.count
                            } else if block.nests, startsWith(block.open, at: position) {
                                depth += 1
                                position += block.open.count
                            } else {
                                position += 1
                            }
                        }
                        mark(index..<position, .comment)
                        index = position
                        continue
                    }
                    if let quote = syntax.tripleQuotes.first(where: { startsWith($0, at: index) }) {
                        var position = index + quote.count
                        while position < count, !startsWith(quote, at: position) {
                            position += source[position] == 0x5C ? 2 : 1
                        }
                        position = min(count, position + quote.count)
                        mark((index + quote.count)..<position, .string)
                        index = position
                        continue
                    }
                    if let delimiter = syntax.quotes.first(where: { $0.byte == byte }) {
                        var position = index + 1
                        while position < count {
                            let current = source[position]
                            if current == byte { position += 1; break }
                            if current == 0x0A, !delimiter.multiline { break }
                            position += (current == 0x5C && delimiter.escapes) ? 2 : 1
                        }
                        position = min(count, position)
                        mark((index + 1)..<position, .string)
                        index = position
                        continue
                    }
                    index += 1
                }
            }
        }
        return regions
    }

    private static let rubyBegin = Array("=begin".utf8)
    private static let rubyEnd = Array("=end".utf8)
}

/// The comment and string syntax of one language.
struct Syntax {
    struct Quote {
        let byte: UInt8
        /// Whether a backslash escapes the next character.
        var escapes = true
        /// Whether the literal may span lines.
        var multiline = false
    }

    var lineComments: [[UInt8]] = [Array("//".utf8)]
    var blockComment: (open: [UInt8], close: [UInt8], nests: Bool)? = (Array("/*".utf8), Array("*/".utf8), false)
    var tripleQuotes: [[UInt8]] = []
    var quotes: [Quote] = [Quote(byte: 0x22), Quote(byte: 0x27)]
    var rubyBlockComments = false

    /// Bytes that can begin a comment or a literal.
    var startBytes: [Bool] {
        var table = [Bool](repeating: false, count: 256)
        for token in lineComments { table[Int(token[0])] = true }
        if let blockComment { table[Int(blockComment.open[0])] = true }
        for token in tripleQuotes { table[Int(token[0])] = true }
        for quote in quotes { table[Int(quote.byte)] = true }
        if rubyBlockComments { table[Int(UInt8(ascii: "="))] = true }
        return table
    }

    init(_ language: Language) {
        switch language {
        case .python:
            lineComments = [[0x23]]
            blockComment = nil
            tripleQuotes = [Array(#"""""#.utf8), Array("'''".utf8)]
        case .ruby:
            lineComments = [[0x23]]
            blockComment = nil
            rubyBlockComments = true
            quotes.append(Quote(byte: 0x60))
        case .php:
            lineComments = [Array("//".utf8), [0x23]]
        case .javascript, .typescript:
            quotes.append(Quote(byte: 0x60, multiline: true))
        case .go:
            quotes.append(Quote(byte: 0x60, escapes: false, multiline: true))
        case .swift:
            blockComment = (Array("/*".utf8), Array("*/".utf8), true)
            tripleQuotes = [Array(#"""""#.utf8)]
            quotes = [Quote(byte: 0x22)]
        case .java, .c, .cpp:
            break
        }
    }
}
