import Crypto
import Foundation

extension SHA256 {
    /// The lowercase hexadecimal SHA-256 digest of `text`'s UTF-8 bytes.
    public static func hexDigest(of text: String) -> String {
        hexDigest(of: Data(text.utf8))
    }

    /// The lowercase hexadecimal SHA-256 digest of `data`.
    public static func hexDigest(of data: some DataProtocol) -> String {
        hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
