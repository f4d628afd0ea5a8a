import Foundation
import CryptoKit

struct CacheKey {
    // The digest only names a cache file; collisions are harmless here.
    func fileName(for url: URL) -> String {
        // arbiter:ignore SWIFT-CRYPTO-001 cache key only, not a security boundary
        let digest = Insecure.MD5.hash(data: Data(url.absoluteString.utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    func legacyName(for url: URL) -> String {
        let digest = Insecure.SHA1.hash(data: Data(url.path.utf8))  // arbiter:ignore SWIFT-CRYPTO-001 legacy cache layout
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    func checksum(for data: Data) -> String {
        let digest = Insecure.MD5.hash(data: data)  // arbiter-expect: SWIFT-CRYPTO-001
        return digest.description
    }
}
