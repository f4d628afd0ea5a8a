import Foundation
import Synchronization

/// Produces identifiers for new records.
///
/// Injected wherever records are created, so tests can predict identifiers.
public protocol IDGenerator: Sendable {
    /// A new identifier, unique for the lifetime of the deployment.
    func next() -> String
}

/// Time-ordered UUIDs (RFC 9562 version 7): sortable by creation time, 74 random bits.
public struct UUIDv7Generator: IDGenerator {
    private let clock: any WallClock

    public init(clock: any WallClock = SystemWallClock()) {
        self.clock = clock
    }

    public func next() -> String {
        var generator = SystemRandomNumberGenerator()
        return Self.make(milliseconds: UInt64(max(0, clock.now().unixMilliseconds)), using: &generator)
    }

    /// Builds a version 7 UUID from a timestamp and a source of randomness.
    static func make(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        for index in 6..<16 {
            bytes[index] = UInt8.random(in: .min ... .max, using: &generator)
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
        return uuid.uuidString.lowercased()
    }
}

/// Predictable identifiers (`prefix-1`, `prefix-2`, …) for tests.
public final class SequentialIDGenerator: IDGenerator {
    private let counter = Mutex(0)
    private let prefix: String

    public init(prefix: String = "id") {
        self.prefix = prefix
    }

    public func next() -> String {
        let value = counter.withLock { count -> Int in
            count += 1
            return count
        }
        return "\(prefix)-\(value)"
    }
}
