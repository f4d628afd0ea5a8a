import ArbiterCore
import Foundation
import Testing

@Suite("Audit hash chain")
struct AuditChainTests {
    let keyed = AuditChain(key: Array(repeating: 42, count: 32))

    /// A well-formed chain of `count` entries.
    func chain(_ count: Int) -> [AuditRecord] {
        var records: [AuditRecord] = []
        var previous = AuditChain.genesis
        for index in 1...count {
            let event = AuditEvent(.admin, action: "thing.\(index)", actor: "user:u", organizationID: "o", details: ["n": String(index)])
            let created = Date(unixMilliseconds: 1_700_000_000_000 + Int64(index))
            let hash = keyed.hash(previous: previous, chain: .admin, sequence: Int64(index), id: "id-\(index)", createdAt: created, event: event)
            records.append(
                AuditRecord(chain: .admin, sequence: Int64(index), id: "id-\(index)", createdAt: created, event: event, previousHash: previous, hash: hash))
            previous = hash
        }
        return records
    }

    func verify(_ records: [AuditRecord], anchor: (Int64, String) = (0, AuditChain.genesis), head: (Int64, String)? = nil) -> [AuditChain.Break] {
        let last = head ?? (records.last.map { ($0.sequence, $0.hash) } ?? (0, AuditChain.genesis))
        return keyed.verify(records, chain: .admin, anchor: anchor, head: last)
    }

    @Test("an intact chain verifies")
    func intact() {
        #expect(verify(chain(5)).isEmpty)
    }

    @Test("a changed field is found at its entry")
    func changed() {
        var records = chain(5)
        var event = records[2].event
        event.outcome = .failure
        let r = records[2]
        records[2] = AuditRecord(chain: r.chain, sequence: r.sequence, id: r.id, createdAt: r.createdAt, event: event, previousHash: r.previousHash, hash: r.hash)
        let breaks = verify(records)
        #expect(breaks.map(\.sequence) == [3])
        #expect(breaks.first?.problem.contains("changed") == true)
    }

    @Test("a deleted entry in the middle is found")
    func deleted() {
        var records = chain(5)
        records.remove(at: 1)
        #expect(verify(records).contains { $0.problem.contains("missing") })
    }

    @Test("deleted entries at the end are found through the chain head")
    func truncated() {
        let records = chain(5)
        let head = (records[4].sequence, records[4].hash)
        #expect(verify(Array(records.prefix(3)), head: head).contains { $0.problem.contains("missing") })
    }

    @Test("an inserted entry is found, even with a consistent hash of its own")
    func inserted() {
        var records = chain(4)
        let forged = AuditEvent(.admin, action: "forged", actor: "user:x", organizationID: "o")
        let hash = keyed.hash(
            previous: records[1].hash, chain: .admin, sequence: 3, id: "forged", createdAt: records[1].createdAt, event: forged)
        records.insert(
            AuditRecord(chain: .admin, sequence: 3, id: "forged", createdAt: records[1].createdAt, event: forged, previousHash: records[1].hash, hash: hash),
            at: 2)
        #expect(!verify(records, head: (records.last!.sequence, records.last!.hash)).isEmpty)
    }

    @Test("after pruning, the chain verifies from its anchor; a wrong anchor does not")
    func anchored() {
        let records = chain(6)
        let kept = Array(records.dropFirst(3))
        #expect(verify(kept, anchor: (3, records[2].hash)).isEmpty)
        #expect(!verify(kept, anchor: (3, AuditChain.genesis)).isEmpty)
        #expect(!verify(kept).isEmpty)
    }

    @Test("a chain rewritten without the key does not verify, even when every link is consistent")
    func forgedWithoutKey() {
        let attacker = AuditChain(key: Array(repeating: 7, count: 32))
        var records: [AuditRecord] = []
        var previous = AuditChain.genesis
        for index in 1...3 {
            let event = AuditEvent(.admin, action: "thing.\(index)", actor: "user:attacker", organizationID: "o")
            let created = Date(unixMilliseconds: Int64(index))
            let hash = attacker.hash(previous: previous, chain: .admin, sequence: Int64(index), id: "f\(index)", createdAt: created, event: event)
            records.append(AuditRecord(chain: .admin, sequence: Int64(index), id: "f\(index)", createdAt: created, event: event, previousHash: previous, hash: hash))
            previous = hash
        }
        #expect(attacker.verify(records, chain: .admin, anchor: (0, AuditChain.genesis), head: (3, previous)).isEmpty)
        #expect(keyed.verify(records, chain: .admin, anchor: (0, AuditChain.genesis), head: (3, previous)).count == 3)
    }

    @Test("the hash covers every field, so entries differing in one field hash differently")
    func coversFields() {
        let base = AuditEvent(.auth, action: "auth.login", actor: "user:1", organizationID: "o", target: "t", details: ["a": "b"])
        let created = Date(unixMilliseconds: 1)
        let reference = keyed.hash(previous: AuditChain.genesis, chain: .auth, sequence: 1, id: "x", createdAt: created, event: base)
        var variants: [AuditEvent] = []
        for change in 0..<7 {
            var event = base
            switch change {
            case 0: event.actor = "user:2"
            case 1: event.action = "auth.logout"
            case 2: event.target = nil
            case 3: event.outcome = .denied
            case 4: event.clientIP = "10.0.0.1"
            case 5: event.details = ["a": "c"]
            default: event.organizationID = nil
            }
            variants.append(event)
        }
        for event in variants {
            #expect(keyed.hash(previous: AuditChain.genesis, chain: .auth, sequence: 1, id: "x", createdAt: created, event: event) != reference)
        }
        #expect(keyed.hash(previous: AuditChain.genesis, chain: .auth, sequence: 2, id: "x", createdAt: created, event: base) != reference)
    }
}
