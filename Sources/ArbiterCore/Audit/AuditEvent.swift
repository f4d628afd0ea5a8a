import Crypto
import Foundation

/// Something that happened and must be on record: who did what to what, with what outcome, from where.
public struct AuditEvent: Equatable, Sendable {
    public enum Outcome: String, Codable, Sendable {
        case success
        /// The attempt was made and failed (a wrong password, say).
        case failure
        /// The attempt was refused by policy (a lockout, a missing permission).
        case denied
    }

    public var auditClass: AuditClass
    /// The tenant concerned; `nil` for events outside any organization (a failed login for an unknown address).
    public var organizationID: String?
    /// `user:<id>`, `api_key:<id>`, `anonymous` or `system`.
    public var actor: String
    /// Dotted verb, e.g. `auth.login`, `api_key.create`.
    public var action: String
    /// What was acted on, e.g. `api_key:<id>`.
    public var target: String?
    public var outcome: Outcome
    public var requestID: String?
    public var clientIP: String?
    public var userAgent: String?
    /// Extra facts, never secrets.
    public var details: [String: String]

    public init(
        _ auditClass: AuditClass, action: String, actor: String, organizationID: String?, target: String? = nil,
        outcome: Outcome = .success, details: [String: String] = [:], origin: AuditOrigin = .none
    ) {
        self.auditClass = auditClass
        self.organizationID = organizationID
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.requestID = origin.requestID
        self.clientIP = origin.clientIP
        self.userAgent = origin.userAgent.map { String($0.prefix(512)) }
        self.details = details
    }
}

/// Where a request came from, attached to the events it causes.
public struct AuditOrigin: Equatable, Sendable {
    public let requestID: String?
    public let clientIP: String?
    public let userAgent: String?

    public init(requestID: String?, clientIP: String?, userAgent: String?) {
        self.requestID = requestID
        self.clientIP = clientIP
        self.userAgent = userAgent
    }

    /// For events not caused by a request (command-line tools, background jobs).
    public static let none = AuditOrigin(requestID: nil, clientIP: nil, userAgent: nil)
}

/// One stored entry: the event plus its place in its class's hash chain.
public struct AuditRecord: Equatable, Sendable {
    public let chain: AuditClass
    public let sequence: Int64
    public let id: String
    public let createdAt: Date
    public let event: AuditEvent
    public let previousHash: String
    public let hash: String

    public init(chain: AuditClass, sequence: Int64, id: String, createdAt: Date, event: AuditEvent, previousHash: String, hash: String) {
        self.chain = chain
        self.sequence = sequence
        self.id = id
        self.createdAt = createdAt
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// How entries are chained: each entry's hash covers its content and the hash of the entry before it, so
/// changing, inserting or removing any entry breaks every hash after it.
///
/// The hash is an HMAC-SHA256 under a key kept outside the database (sealed there under the master key), so
/// someone who can write to the database but does not hold the master key cannot recompute the chain after
/// altering it.
public struct AuditChain: Sendable {
    /// The `previousHash` of a chain's first entry.
    public static let genesis = String(repeating: "0", count: 64)

    private let key: SymmetricKey

    /// A chain keyed with `key` (32 random bytes).
    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    /// HMAC over the previous hash and every field, each length-prefixed so no two entries serialize alike.
    public func hash(
        previous: String, chain: AuditClass, sequence: Int64, id: String, createdAt: Date, event: AuditEvent
    ) -> String {
        var text = "arbiter-audit-v1"
        func field(_ value: String?) {
            guard let value else {
                text += "|-"
                return
            }
            text += "|\(value.utf8.count):\(value)"
        }
        field(previous)
        field(chain.rawValue)
        field(String(sequence))
        field(id)
        field(String(createdAt.unixMilliseconds))
        field(event.organizationID)
        field(event.actor)
        field(event.action)
        field(event.target)
        field(event.outcome.rawValue)
        field(event.requestID)
        field(event.clientIP)
        field(event.userAgent)
        field(Self.canonicalDetails(event.details))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
        return mac.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    /// Details as JSON with sorted keys: the same dictionary always gives the same text.
    public static func canonicalDetails(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(details)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A break found while verifying a chain.
    public struct Break: Equatable, Sendable, CustomStringConvertible {
        public let chain: AuditClass
        public let sequence: Int64
        public let problem: String

        public var description: String { "\(chain) #\(sequence): \(problem)" }
    }

    /// Checks entries of one chain, in sequence order, starting after `anchor` (the last pruned entry).
    ///
    /// - Parameters:
    ///   - records: the chain's remaining entries, sorted by sequence
    ///   - anchor: sequence and hash of the last pruned entry, or `(0, genesis)`
    ///   - head: the chain head's last sequence and hash, which the last entry must match
    public func verify(
        _ records: [AuditRecord], chain: AuditClass, anchor: (sequence: Int64, hash: String), head: (sequence: Int64, hash: String)
    ) -> [Break] {
        var breaks: [Break] = []
        var expectedSequence = anchor.sequence + 1
        var previousHash = anchor.hash
        for record in records {
            if record.sequence != expectedSequence {
                breaks.append(
                    Break(
                        chain: chain, sequence: record.sequence,
                        problem: record.sequence > expectedSequence
                            ? "entries \(expectedSequence)–\(record.sequence - 1) are missing" : "sequence repeats or goes back"))
            }
            if record.previousHash != previousHash {
                breaks.append(Break(chain: chain, sequence: record.sequence, problem: "does not follow the entry before it"))
            }
            let recomputed = hash(
                previous: record.previousHash, chain: chain, sequence: record.sequence, id: record.id, createdAt: record.createdAt,
                event: record.event)
            if recomputed != record.hash {
                breaks.append(Break(chain: chain, sequence: record.sequence, problem: "its content was changed after it was written"))
            }
            expectedSequence = record.sequence + 1
            previousHash = record.hash
        }
        if head.sequence != expectedSequence - 1 {
            breaks.append(
                Break(
                    chain: chain, sequence: head.sequence,
                    problem: head.sequence > expectedSequence - 1
                        ? "entries after \(expectedSequence - 1) up to \(head.sequence) are missing" : "the chain head is behind its entries"))
        } else if head.hash != previousHash {
            breaks.append(Break(chain: chain, sequence: head.sequence, problem: "the chain head does not match the last entry"))
        }
        return breaks
    }
}
