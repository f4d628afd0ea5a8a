/// A file, or a consecutive piece of one, to show a model.
public struct ChunkFile: Sendable, Equatable {
    public var path: String
    public var language: String
    /// The file's line number of the text's first line.
    public var firstLine: Int
    public var text: String

    public init(path: String, language: String, firstLine: Int = 1, text: String) {
        self.path = path
        self.language = language
        self.firstLine = firstLine
        self.text = text
    }
}

/// Files that go to a model in one prompt.
public struct ReviewChunk: Sendable, Equatable {
    public var files: [ChunkFile]
    public var estimatedTokens: Int
}

/// One line is larger than a whole prompt may be: the input can never be sent as it is.
public struct ChunkingError: Error, Sendable, Equatable {
    public let path: String
    public let line: Int
    public let tokens: Int
    public let budget: Int
}

/// Packs files into prompts of at most a token budget.
public enum Chunker {
    /// As few chunks as fit `budget` tokens each (the files' estimates plus `perFileOverhead` per file), in order.
    /// A file too large for one chunk is split at line boundaries into consecutive pieces, each with its first line.
    public static func chunks(_ files: [ChunkFile], budget: Int, perFileOverhead: Int = 16) throws(ChunkingError) -> [ReviewChunk] {
        var chunks: [ReviewChunk] = []
        var current = ReviewChunk(files: [], estimatedTokens: 0)
        func flush() {
            if !current.files.isEmpty { chunks.append(current) }
            current = ReviewChunk(files: [], estimatedTokens: 0)
        }
        func add(_ file: ChunkFile, tokens: Int) {
            if current.estimatedTokens + tokens > budget { flush() }
            current.files.append(file)
            current.estimatedTokens += tokens
        }
        for file in files {
            let tokens = TokenEstimator.estimate(file.text) + perFileOverhead
            if tokens <= budget {
                add(file, tokens: tokens)
                continue
            }
            for piece in try split(file, budget: budget - perFileOverhead) {
                add(piece, tokens: TokenEstimator.estimate(piece.text) + perFileOverhead)
            }
        }
        flush()
        return chunks
    }

    /// `file` cut at line ends into pieces of at most `budget` tokens.
    static func split(_ file: ChunkFile, budget: Int) throws(ChunkingError) -> [ChunkFile] {
        var pieces: [ChunkFile] = []
        var text = ""
        var tokens = 0
        var first = file.firstLine
        var lineNumber = file.firstLine
        var lines = file.text.split(separator: "\n", omittingEmptySubsequences: false)
        let endsWithNewline = file.text.hasSuffix("\n")
        if endsWithNewline { lines.removeLast() }
        for (offset, line) in lines.enumerated() {
            defer { lineNumber += 1 }
            let withNewline = String(line) + (offset == lines.count - 1 && !endsWithNewline ? "" : "\n")
            let cost = TokenEstimator.estimate(withNewline)
            guard cost <= budget else { throw ChunkingError(path: file.path, line: lineNumber, tokens: cost, budget: budget) }
            if tokens + cost > budget {
                pieces.append(ChunkFile(path: file.path, language: file.language, firstLine: first, text: text))
                text = ""
                tokens = 0
                first = lineNumber
            }
            text += withNewline
            tokens += cost
        }
        if !text.isEmpty { pieces.append(ChunkFile(path: file.path, language: file.language, firstLine: first, text: text)) }
        return pieces
    }
}
