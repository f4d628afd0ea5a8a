#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte string to find in source text quickly: `memchr` (vectorised in libc) jumps to the next occurrence of the
/// needle's rarest byte, then `memcmp` checks the rest. Anchoring on a rare byte (`x` in `execute`) rather than the
/// first one keeps `memchr` from stopping at every common letter.
struct ByteSearch: Sendable {
    let needle: [UInt8]
    /// Where in the needle the anchor byte sits, and the byte.
    let anchorOffset: Int
    let anchor: UInt8

    init(_ needle: [UInt8]) {
        self.needle = needle
        var best = 0
        for index in needle.indices where Self.commonness(needle[index]) < Self.commonness(needle[best]) { best = index }
        anchorOffset = best
        anchor = needle.isEmpty ? 0 : needle[best]
    }

    /// The offset of the first occurrence at or after `start`, if any.
    func find(in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = haystack.baseAddress, !needle.isEmpty else { return nil }
        let last = haystack.count - needle.count
        var position = start
        return needle.withUnsafeBytes { pattern -> Int? in
            while position <= last {
                let from = position + anchorOffset
                guard let hit = memchr(base + from, Int32(anchor), last + anchorOffset - from + 1) else { return nil }
                let candidate = base.distance(to: UnsafeRawPointer(hit)) - anchorOffset
                if memcmp(base + candidate, pattern.baseAddress!, needle.count) == 0 { return candidate }
                position = candidate + 1
            }
            return nil
        }
    }

    func find(in haystack: [UInt8], from start: Int) -> Int? {
        haystack.withUnsafeBytes { find(in: $0, from: start) }
    }

    /// Roughly how often a byte appears in source code: higher is more common.
    static func commonness(_ byte: UInt8) -> Int {
        switch byte {
        case 0x20, 0x0A, 0x09: 100
        case UInt8(ascii: "e"): 60
        case UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "s"),
            UInt8(ascii: "r"):
            50
        case UInt8(ascii: "l"), UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "u"), UInt8(ascii: "h"), UInt8(ascii: "p"),
            UInt8(ascii: "m"):
            40
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "\""), UInt8(ascii: "f"), UInt8(ascii: "g"), UInt8(ascii: "b"), UInt8(ascii: "y"), UInt8(ascii: "w"):
            30
        case UInt8(ascii: "_"), UInt8(ascii: "'"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "v"), UInt8(ascii: "k"),
            UInt8(ascii: "-"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "*"):
            20
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): 12
        case UInt8(ascii: "x"), UInt8(ascii: "j"), UInt8(ascii: "q"), UInt8(ascii: "z"): 8
        default: 5
        }
    }
}
