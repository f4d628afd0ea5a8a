/// Where each line of a text starts and ends, by byte offset.
struct LineTable {
    /// The offset of each line's first byte.
    private(set) var starts: [Int] = [0]
    private let count: Int
    private let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        count = bytes.count
        starts.reserveCapacity(bytes.count / 32 + 1)
        bytes.withUnsafeBufferPointer { buffer in
            for index in 0..<buffer.count where buffer[index] == 0x0A { starts.append(index + 1) }
        }
    }

    var lineCount: Int { starts.count }

    /// The 0-based line holding byte `offset`.
    func line(containing offset: Int) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    func start(of line: Int) -> Int { starts[line] }

    /// The offset just past the line's last byte, before its line break (and a carriage return before it).
    func end(of line: Int) -> Int {
        var end = line + 1 < starts.count ? starts[line + 1] - 1 : count
        if end > starts[line], bytes[end - 1] == 0x0D { end -= 1 }
        return end
    }
}
