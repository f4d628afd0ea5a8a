import ArbiterCore
import Crypto
import Foundation
import HTTPTypes
import NIOPosix
import Synchronization

/// Makes and checks the secrets handed to clients: passwords (hashed on threads of their own), refresh tokens and
/// API keys (random, stored as SHA-256 hashes).
public final class Credentials: Sendable {
    let hasher: PasswordHasher
    /// scrypt blocks its thread for a while; these threads keep it away from the ones serving requests, and their
    /// number bounds how many hashes run at once.
    private let threads: NIOThreadPool
    /// A hash of a random password, verified against when the e-mail address is unknown, so an unknown address
    /// takes as long to refuse as a wrong password. Made on first use, keeping start-up fast.
    private let decoyHash = Mutex<String?>(nil)
    /// Hashes running or waiting; past ``maximumQueued`` new ones are refused rather than queued without end.
    private let queued = Mutex(0)
    static let maximumQueued = 32

    public init(hasher: PasswordHasher = PasswordHasher(), threads: Int = 2) throws {
        self.hasher = hasher
        self.threads = NIOThreadPool(numberOfThreads: max(1, threads))
        self.threads.start()
    }

    /// Stops the hashing threads.
    public func shutdown() async {
        try? await threads.shutdownGracefully()
    }

    public func hashPassword(_ password: String) async throws -> String {
        let hasher = self.hasher
        return try await bounded { try await threads.runIfActive { try hasher.hash(password) } }
    }

    /// Runs `work` unless too many hashes are already waiting, in which case it answers `503` with Retry-After.
    private func bounded<T>(_ work: () async throws -> T) async throws -> T {
        let admitted = queued.withLock { count -> Bool in
            guard count < Self.maximumQueued else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw Problem(
                .serviceUnavailable, slug: "busy", title: "Busy", detail: "Too many sign-ins at once; try again in a second.",
                headers: [.retryAfter: "1"])
        }
        defer { queued.withLock { $0 -= 1 } }
        return try await work()
    }

    /// Whether `password` matches `hash`; with `hash == nil` it does the same work and answers `false`.
    public func verifyPassword(_ password: String, hash: String?) async throws -> Bool {
        let hasher = self.hasher
        return try await bounded { try await threads.runIfActive { [self] in
            guard let hash else {
                let stored = try decoyHash.withLock { decoy in
                    if let decoy { return decoy }
                    let made = try hasher.hash(Self.randomToken(bytes: 24))
                    decoy = made
                    return made
                }
                _ = hasher.verify(password, against: stored)
                return false
            }
            return hasher.verify(password, against: hash)
        } }
    }

    public func needsRehash(_ hash: String) -> Bool { hasher.needsRehash(hash) }

    /// A new refresh token, `art_` and 43 characters of base64url (256 random bits).
    public static func newRefreshToken() -> String { "art_" + randomToken(bytes: 32) }

    /// A new API key: its public prefix and the full key, `arb_<prefix>_<secret>`.
    public static func newAPIKey() -> (prefix: String, key: String) {
        let prefix = randomToken(bytes: 6).lowercased().replacingOccurrences(of: "-", with: "x").replacingOccurrences(of: "_", with: "y")
        return (prefix, "arb_\(prefix)_\(randomToken(bytes: 32))")
    }

    /// The prefix of an API key, or `nil` when `key` is not shaped like one.
    public static func apiKeyPrefix(_ key: String) -> String? {
        let parts = key.split(separator: "_", maxSplits: 2)
        guard parts.count == 3, parts[0] == "arb", parts[1].count == 8, parts[2].count >= 40 else { return nil }
        return String(parts[1])
    }

    /// SHA-256 of a token, as stored.
    public static func fingerprint(_ token: String) -> String { SHA256.hexDigest(of: token) }

    static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URLEncoded()
    }
}
