/// Which three-byte sequences a text contains, as a 65 536-bit hashed set (case-folded for ASCII letters).
///
/// Before searching a file for each of several hundred keywords, the analyzer asks this set whether all of a
/// keyword's trigrams occur in it; most keywords are absent from most files, and those searches are skipped. A
/// hash collision can only let a search through, never skip a keyword that is there.
struct TrigramFilter {
    private var bits = [UInt64](repeating: 0, count: 1024)

    init(_ bytes: [UInt8]) {
        guard bytes.count >= 3 else { return }
        bits.withUnsafeMutableBufferPointer { bits in
            bytes.withUnsafeBufferPointer { text in
                var previous2 = UInt32(Self.fold(text[0]))
                var previous1 = UInt32(Self.fold(text[1]))
                for index in 2..<text.count {
                    let current = UInt32(Self.fold(text[index]))
                    let hash = Self.hash(previous2, previous1, current)
                    bits[Int(hash >> 6)] |= 1 << UInt64(hash & 63)
                    previous2 = previous1
                    previous1 = current
                }
            }
        }
    }

    /// False only when `needle` (at least three bytes) certainly does not occur; short needles always pass.
    func mayContain(_ needle: [UInt8]) -> Bool {
        guard needle.count >= 3 else { return true }
        for index in 2..<needle.count {
            let hash = Self.hash(UInt32(Self.fold(needle[index - 2])), UInt32(Self.fold(needle[index - 1])), UInt32(Self.fold(needle[index])))
            if bits[Int(hash >> 6)] & (1 << UInt64(hash & 63)) == 0 { return false }
        }
        return true
    }

    @inline(__always) static func fold(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    @inline(__always) static func hash(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        ((a &* 0x9E37_79B1) ^ (b &* 0x85EB_CA77) ^ (c &* 0xC2B2_AE3D)) >> 16
    }
}
