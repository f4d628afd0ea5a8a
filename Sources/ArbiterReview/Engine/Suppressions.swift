/// `arbiter:ignore RULE-ID[, RULE-ID…] reason` comments. One that trails code silences that line; one on a line of
/// its own silences the next line.
struct Suppressions {
    /// Rule ids silenced per 0-based line.
    private var silenced: [Int: Set<String>] = [:]

    static let marker = ByteSearch(Array("arbiter:ignore".utf8))

    init(bytes: [UInt8], regions: [UInt8], lines: LineTable) {
        var offset = 0
        while offset < bytes.count {
            guard let position = Self.marker.find(in: bytes, from: offset) else { break }
            offset = position + Self.marker.needle.count
            guard regions[position] == Region.comment.rawValue else { continue }
            let line = lines.line(containing: position)
            let ids = Self.ruleIDs(in: bytes[offset..<lines.end(of: line)])
            guard !ids.isEmpty else { continue }
            let ownLine = bytes[lines.start(of: line)..<position].indices.allSatisfy { index in
                regions[index] == Region.comment.rawValue || bytes[index] == 0x20 || bytes[index] == 0x09
            }
            silenced[ownLine ? line + 1 : line, default: []].formUnion(ids)
        }
    }

    func suppresses(_ ruleID: String, onLine line: Int) -> Bool {
        silenced[line]?.contains(ruleID) ?? false
    }

    /// The ids after the marker: the first word, and each further word that follows a comma.
    static func ruleIDs(in text: ArraySlice<UInt8>) -> [String] {
        var ids: [String] = []
        var index = text.startIndex
        func skipSpaces() { while index < text.endIndex, text[index] == 0x20 || text[index] == 0x09 { index += 1 } }
        func isIDByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
        skipSpaces()
        while index < text.endIndex {
            let start = index
            while index < text.endIndex, isIDByte(text[index]) { index += 1 }
            guard index > start else { break }
            var end = index
            while end > start, text[end - 1] == 0x2E { end -= 1 }
            ids.append(String(decoding: text[start..<end], as: UTF8.self))
            skipSpaces()
            guard index < text.endIndex, text[index] == 0x2C else { break }
            index += 1
            skipSpaces()
        }
        return ids
    }
}
