import Crypto
import CryptoExtras
import Foundation
import Synchronization

/// Encrypts stored secrets with AES-256-GCM under keys derived from the master key.
///
/// Every record gets a random 16-byte salt and a random 12-byte nonce. The record key is HKDF-SHA256(master key,
/// salt) for a random master key, or PBKDF2-HMAC-SHA256(passphrase, salt, 600 000 rounds) for a passphrase. The
/// organization and name are authenticated with the ciphertext, so a record cannot be moved to another name.
/// Ciphertexts read `v1.<key id>.<base64 salt|nonce|ciphertext|tag>`; the key id names the master key, so a
/// record sealed under an older key is recognised (and re-sealed by `arbiter admin rotate-keys`).
public final class SecretCipher: Sendable {
    /// PBKDF2 rounds for passphrases: OWASP's 2023 recommendation for HMAC-SHA256.
    public static let passphraseRounds = 600_000

    /// Identifies the master key without revealing it: 16 hex digits of HMAC-SHA256(key, "arbiter-key-id").
    public let keyID: String
    private let master: SymmetricKey
    private let form: ConfiguredSecret.Form
    /// Derived record keys by salt: PBKDF2 is slow by design, and the same record is read again and again.
    private let derived = Mutex<[Data: SymmetricKey]>([:])

    public init(masterKey: ConfiguredSecret) {
        self.master = SymmetricKey(data: masterKey.bytes)
        self.form = masterKey.form
        let mac = HMAC<SHA256>.authenticationCode(for: Data("arbiter-key-id".utf8), using: master)
        self.keyID = Data(mac).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Why a record could not be opened.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Seals `plaintext` for the record `name` of `organizationID`.
    public func seal(_ plaintext: String, organizationID: String, name: String) throws -> String {
        var salt = Data(count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let sealed = try AES.GCM.seal(
            Data(plaintext.utf8), using: try recordKey(salt: salt), nonce: AES.GCM.Nonce(),
            authenticating: Self.associatedData(organizationID: organizationID, name: name))
        guard let combined = sealed.combined else { throw Failure(description: "AES-GCM produced no output") }
        return "v1.\(keyID).\((salt + combined).base64EncodedString())"
    }

    /// The key id a ciphertext was sealed under, or `nil` when it is not one of ours.
    public static func keyID(of ciphertext: String) -> String? {
        let parts = ciphertext.split(separator: ".", maxSplits: 2)
        return parts.count == 3 && parts[0] == "v1" ? String(parts[1]) : nil
    }

    /// Opens a record sealed by ``seal(_:organizationID:name:)`` under this master key.
    public func open(_ ciphertext: String, organizationID: String, name: String) throws -> String {
        let parts = ciphertext.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "v1", let blob = Data(base64Encoded: String(parts[2])), blob.count > 16 + 12 + 16 else {
            throw Failure(description: "not an Arbiter v1 ciphertext")
        }
        guard parts[1] == keyID else {
            throw Failure(description: "sealed under master key \(parts[1]), not the configured \(keyID); run `arbiter admin rotate-keys`")
        }
        let salt = blob.prefix(16)
        do {
            let box = try AES.GCM.SealedBox(combined: blob.dropFirst(16))
            let plaintext = try AES.GCM.open(
                box, using: try recordKey(salt: Data(salt)), authenticating: Self.associatedData(organizationID: organizationID, name: name))
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw Failure(description: "the ciphertext does not authenticate (altered, or stored under another name)")
        }
    }

    private func recordKey(salt: Data) throws -> SymmetricKey {
        if let cached = derived.withLock({ $0[salt] }) { return cached }
        let key: SymmetricKey
        switch form {
        case .randomKey:
            key = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: master, salt: salt, info: Data("arbiter-secret-v1".utf8), outputByteCount: 32)
        case .passphrase:
            key = try master.withUnsafeBytes { passphrase in
                try KDF.Insecure.PBKDF2.deriveKey(
                    from: Array(passphrase), salt: salt, using: .sha256, outputByteCount: 32, rounds: Self.passphraseRounds)
            }
        }
        derived.withLock { cache in
            if cache.count > 1024 { cache.removeAll() }
            cache[salt] = key
        }
        return key
    }

    private static func associatedData(organizationID: String, name: String) -> Data {
        Data("arbiter-secret|\(organizationID.utf8.count):\(organizationID)|\(name.utf8.count):\(name)".utf8)
    }
}
