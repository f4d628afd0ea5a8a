import Synchronization

/// Makes request ids: 32 lowercase hex digits, a random per-process half and a counter half.
///
/// Unique across replicas with overwhelming probability, ordered within a process, and cheap enough to make
/// for every request.
enum RequestIDGenerator {
    private static let processHalf = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    static func next() -> String {
        let low = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { hex in
                for index in 0..<16 {
                    buffer[index] = hex[Int((processHalf >> (60 - 4 * UInt64(index))) & 0xF)]
                    buffer[16 + index] = hex[Int((low >> (60 - 4 * UInt64(index))) & 0xF)]
                }
            }
            return 32
        }
    }
}
