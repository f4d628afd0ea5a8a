import Foundation
import CryptoKit
import CommonCrypto

struct LegacyCrypto {
    func fingerprint(of data: Data) -> String {
        let digest = Insecure.MD5.hash(data: data)  // arbiter-expect: SWIFT-CRYPTO-001
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    func legacySignature(of data: Data) -> String {
        let digest = Insecure.SHA1.hash(data: data)  // arbiter-expect: SWIFT-CRYPTO-001
        return Data(digest).base64EncodedString()
    }

    func commonCryptoMD5(_ string: String) -> [UInt8] {
        let bytes = Array(string.utf8)
        var digest = [UInt8](repeating: 0, count: Int(CC_MD5_DIGEST_LENGTH))
        CC_MD5(bytes, CC_LONG(bytes.count), &digest)  // arbiter-expect: SWIFT-CRYPTO-001
        return digest
    }

    func commonCryptoSHA1(_ data: Data) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(CC_SHA1_DIGEST_LENGTH))
        data.withUnsafeBytes { buffer in
            _ = CC_SHA1(buffer.baseAddress, CC_LONG(data.count), &digest)  // arbiter-expect: SWIFT-CRYPTO-001
        }
        return digest
    }

    func encryptDES(_ input: [UInt8], key: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count + kCCBlockSizeDES)
        var moved = 0
        CCCrypt(CCOperation(kCCEncrypt), CCAlgorithm(kCCAlgorithmDES), CCOptions(kCCOptionPKCS7Padding),  // arbiter-expect: SWIFT-CRYPTO-002
                key, kCCKeySizeDES, nil, input, input.count, &output, output.count, &moved)
        return Array(output.prefix(moved))
    }

    func encryptECB(_ input: [UInt8], key: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count + kCCBlockSizeAES128)
        var moved = 0
        let options = CCOptions(kCCOptionPKCS7Padding | kCCOptionECBMode)  // arbiter-expect: SWIFT-CRYPTO-003
        CCCrypt(CCOperation(kCCEncrypt), CCAlgorithm(kCCAlgorithmAES), options,
                key, key.count, nil, input, input.count, &output, output.count, &moved)
        return Array(output.prefix(moved))
    }

    func resetToken() -> String {
        srandom(UInt32(time(nil)))  // arbiter-expect: SWIFT-RAND-001
        return String(random() % 1_000_000)  // arbiter-expect: SWIFT-RAND-001
    }

    func sessionNonce() -> Int32 {
        return rand()  // arbiter-expect: SWIFT-RAND-001
    }

    func configure(_ configuration: URLSessionConfiguration) {
        configuration.tlsMinimumSupportedProtocolVersion = .TLSv10  // arbiter-expect: SWIFT-TLS-004
    }

    // Safe equivalents.
    func secureFingerprint(of data: Data) -> String {
        let digest = SHA256.hash(data: data)
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    func seal(_ data: Data, key: SymmetricKey) throws -> Data? {
        let box = try AES.GCM.seal(data, using: key)
        return box.combined
    }

    func secureToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        _ = SecRandomCopyBytes(kSecRandomDefault, bytes.count, &bytes)
        return Data(bytes).base64EncodedString()
    }

    func diceRoll() -> Int {
        return Int.random(in: 1...6) + Int(arc4random_uniform(6))
    }

    func shuffled(_ items: [String]) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return items.shuffled(using: &generator).randomElement().map { [$0] } ?? []
    }

    func describe(_ version: tls_protocol_version_t) -> String {
        switch version {
        case .TLSv10: return "TLS 1.0"
        case .TLSv12: return "TLS 1.2"
        default: return "other"
        }
    }

    func configureSecurely(_ configuration: URLSessionConfiguration) {
        // Never use .TLSv10 here; MD5 is also banned.
        configuration.tlsMinimumSupportedProtocolVersion = .TLSv12
    }
}

enum Dice {
    static func random() -> UInt32 {
        return UInt32.random(in: 1...6)
    }
}
