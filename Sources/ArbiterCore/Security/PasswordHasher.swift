import Crypto
import CryptoExtras
import Foundation

/// Hashes and checks passwords with scrypt, storing the parameters with each hash so they can be raised later.
///
/// The default parameters (N = 2^15, r = 8, p = 3: 32 MiB and about three times the work of one pass) are one of
/// OWASP's recommended scrypt settings, stronger than bcrypt at cost 12. Hashing takes a CPU for a noticeable
/// time: callers run it off the request threads.
public struct PasswordHasher: Sendable {
    /// scrypt's cost parameters.
    public struct Parameters: Equatable, Sendable {
        /// log2 of N, the CPU and memory cost.
        public let logN: Int
        /// Block size.
        public let r: Int
        /// Parallelism.
        public let p: Int

        public init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        /// What new passwords are hashed with.
        public static let recommended = Parameters(logN: 15, r: 8, p: 3)

        /// Whether these are at least as strong as `other`.
        func isAtLeast(_ other: Parameters) -> Bool {
            logN >= other.logN && r >= other.r && p >= other.p
        }
    }

    public let parameters: Parameters

    public init(parameters: Parameters = .recommended) {
        self.parameters = parameters
    }

    /// A new salted hash of `password`, as `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (unpadded base64).
    public func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let derived = try Self.derive(password, salt: salt, parameters: parameters)
        return "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$\(Self.encode(salt))$\(Self.encode(derived))"
    }

    /// Whether `password` matches `stored`, compared in constant time; `false` for any malformed hash.
    public func verify(_ password: String, against stored: String) -> Bool {
        guard let (parameters, salt, expected) = Self.parse(stored),
            let actual = try? Self.derive(password, salt: salt, parameters: parameters, length: expected.count)
        else { return false }
        return constantTimeEquals(actual, expected)
    }

    /// Whether `stored` was made with weaker parameters than this hasher's, so it should be replaced after a login.
    public func needsRehash(_ stored: String) -> Bool {
        guard let (parameters, _, _) = Self.parse(stored) else { return true }
        return !parameters.isAtLeast(self.parameters)
    }

    private static func derive(_ password: String, salt: [UInt8], parameters: Parameters, length: Int = 32) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: length, rounds: 1 << parameters.logN,
            blockSize: parameters.r, parallelism: parameters.p, maxMemory: 256 << 20)
        return key.withUnsafeBytes { Array($0) }
    }

    private static func parse(_ stored: String) -> (Parameters, [UInt8], [UInt8])? {
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty, fields[1] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for pair in fields[2].split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = Int(parts[1]) else { return nil }
            values[String(parts[0])] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"], (10...22).contains(logN), (1...32).contains(r),
            (1...16).contains(p), let salt = decode(fields[3]), let hash = decode(fields[4]), salt.count >= 16, hash.count >= 16
        else { return nil }
        return (Parameters(logN: logN, r: r, p: p), salt, hash)
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        var padded = String(text)
        while padded.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map(Array.init)
    }
}

/// Compares two byte strings without returning early, so timing does not reveal where they differ.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}

/// What a new password must satisfy.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 256

    /// Why `password` is not acceptable for the account `email`, or `nil` when it is.
    public static func problem(with password: String, email: String) -> String? {
        let count = password.count
        if count < minimumLength { return "must be at least \(minimumLength) characters long" }
        if password.utf8.count > maximumLength { return "must be at most \(maximumLength) bytes long" }
        if Set(password).count < 5 { return "is too repetitive" }
        let lowered = password.lowercased()
        let localPart = email.lowercased().split(separator: "@").first.map(String.init) ?? ""
        if lowered.contains(email.lowercased()) || (localPart.count >= 4 && lowered.contains(localPart)) {
            return "must not contain the e-mail address"
        }
        for common in ["password", "123456", "qwerty", "letmein", "arbiter", "admin"] where lowered.contains(common) {
            return "must not contain the common word '\(common)'"
        }
        return nil
    }
}
