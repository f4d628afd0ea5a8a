import Foundation

/// A secret read from configuration: raw bytes, and whether they look like a random key or a passphrase.
public struct ConfiguredSecret: Equatable, Sendable {
    public enum Form: Equatable, Sendable {
        /// 32 or more random bytes, given as `base64:…` or as hex: used directly (HKDF).
        case randomKey
        /// Anything else: stretched with PBKDF2-HMAC-SHA256 before use.
        case passphrase
    }

    public let bytes: [UInt8]
    public let form: Form

    /// Reads `text` as `base64:…`, as 64 or more hex digits, or else as a passphrase.
    public init(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("base64:"), let data = Data(base64Encoded: String(trimmed.dropFirst(7))), data.count >= 32 {
            self.bytes = Array(data)
            self.form = .randomKey
        } else if trimmed.count >= 64, trimmed.count % 2 == 0, let bytes = Self.hexBytes(trimmed) {
            self.bytes = bytes
            self.form = .randomKey
        } else {
            self.bytes = Array(trimmed.utf8)
            self.form = .passphrase
        }
    }

    /// Why the secret is too weak to protect a production deployment, or `nil` when it is acceptable.
    ///
    /// Random keys need 32 bytes; passphrases at least 32 characters with at least 12 distinct ones, and not a
    /// well-known placeholder.
    public var weakness: String? {
        switch form {
        case .randomKey:
            return bytes.count < 32 ? "shorter than 32 bytes" : nil
        case .passphrase:
            if bytes.count < 32 { return "shorter than 32 characters (generate one with `openssl rand -base64 32`)" }
            if Set(bytes).count < 12 { return "too repetitive" }
            let lowered = String(decoding: bytes, as: UTF8.self).lowercased()
            for placeholder in ["change", "secret", "password", "example", "your-", "replace"] where lowered.contains(placeholder) {
                return "contains the placeholder word '\(placeholder)'"
            }
            return nil
        }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
