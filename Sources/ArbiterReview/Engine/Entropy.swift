import Foundation

/// Shannon entropy: how unpredictable the characters of a string are.
enum Entropy {
    /// Bits per character of `value` (0 for an empty string; at most log2 of the alphabet in use).
    static func shannon(_ value: String) -> Double {
        var counts: [UInt8: Int] = [:]
        var total = 0
        for byte in value.utf8 {
            counts[byte, default: 0] += 1
            total += 1
        }
        guard total > 0 else { return 0 }
        let length = Double(total)
        return counts.values.reduce(0) { sum, count in
            let probability = Double(count) / length
            return sum - probability * log2(probability)
        }
    }
}
