#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Substring search over raw bytes: `memchr` (vectorised in libc) to the next candidate first byte, then `memcmp`.
enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack` at or after `start`, if any.
    static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = haystack.baseAddress, let pattern = needle.baseAddress, needle.count > 0 else { return nil }
        let first = Int32(needle[0])
        let last = haystack.count - needle.count
        var position = start
        while position <= last {
            guard let hit = memchr(base + position, first, last - position + 1) else { return nil }
            let offset = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + offset, pattern, needle.count) == 0 { return offset }
            position = offset + 1
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        haystack.withUnsafeBytes { buffer in needle.withUnsafeBytes { find($0, in: buffer, from: start) } }
    }
}
