import ArbiterCore
import ArbiterOntology
import Foundation
import Synchronization
import Testing

/// Who holds the lock in the race test, shared by the racing tasks.
final class Holders: Sendable {
    let state = Mutex((current: 0, most: 0, tokens: [Int64]()))
}

@Suite("Locks (one process)")
struct LockTests {
    static let employee = ResourceKey(.objectTypes, "employee")
    static let team = ResourceKey(.objectTypes, "team")
    static let link = ResourceKey(.linkTypes, "member-of")

    @Test("overlap: a branch lock covers everything on its branch, a type lock its type, a resource lock itself")
    func overlaps() {
        let cases: [(LockScope, LockScope, Bool)] = [
            (.branch("main"), .resource(branch: "main", key: Self.employee), true),
            (.branch("main"), .branch("dev"), false),
            (.resourceType(branch: "main", kind: .objectTypes), .resource(branch: "main", key: Self.employee), true),
            (.resourceType(branch: "main", kind: .objectTypes), .resource(branch: "main", key: Self.link), false),
            (.resourceType(branch: "main", kind: .objectTypes), .resourceType(branch: "dev", kind: .objectTypes), false),
            (.resource(branch: "main", key: Self.employee), .resource(branch: "main", key: Self.team), false),
            (.resource(branch: "main", key: Self.employee), .resource(branch: "main", key: Self.employee), true),
        ]
        for (a, b, expected) in cases {
            #expect(a.overlaps(b) == expected, "\(a) vs \(b)")
            #expect(b.overlaps(a) == expected, "\(b) vs \(a)")
        }
    }

    @Test("an overlapping request is refused naming the holder; other resources stay lockable and writable")
    func conflicts() throws {
        let locks = InMemoryLockManager(clock: ManualWallClock())
        let held = try locks.acquire(.resourceType(branch: "main", kind: .objectTypes), kind: .indexing, holder: "system:index", ttl: .seconds(30))
        #expect(throws: LockError.conflict(held)) {
            _ = try locks.acquire(.resource(branch: "main", key: Self.employee), kind: .manual, holder: "user:1", ttl: .seconds(30))
        }
        #expect(throws: Never.self) { _ = try locks.acquire(.resource(branch: "main", key: Self.link), kind: .manual, holder: "user:1", ttl: .seconds(30)) }
        #expect(locks.blocking(Self.employee, on: "main") == held)
        #expect(locks.blocking(Self.employee, on: "main", fencingToken: held.fencingToken) == nil)
        #expect(locks.blocking(Self.employee, on: "dev") == nil)
        #expect(locks.blocking(Self.link, on: "main")?.holder == "user:1")
    }

    @Test("a lock expires without heartbeats; an expired holder can neither extend nor write, and its token is stale")
    func expiry() throws {
        let clock = ManualWallClock()
        let locks = InMemoryLockManager(clock: clock)
        let lock = try locks.acquire(.branch("main"), kind: .migration, holder: "system:migrate", ttl: .seconds(10))
        clock.advance(by: 8)
        let extended = try locks.heartbeat(lock.id, holder: "system:migrate", fencingToken: lock.fencingToken, ttl: .seconds(10), progress: 40)
        #expect(extended.progress == 40)
        clock.advance(by: 9)
        #expect(locks.isCurrent(lock.id, fencingToken: lock.fencingToken))
        clock.advance(by: 2)
        #expect(!locks.isCurrent(lock.id, fencingToken: lock.fencingToken))
        #expect(throws: LockError.notHeld(lock.id)) {
            _ = try locks.heartbeat(lock.id, holder: "system:migrate", fencingToken: lock.fencingToken, ttl: .seconds(10))
        }
        let next = try locks.acquire(.branch("main"), kind: .manual, holder: "user:2", ttl: .seconds(10))
        #expect(next.fencingToken > lock.fencingToken)
        #expect(!locks.release(lock.id, holder: "system:migrate", fencingToken: lock.fencingToken))
        #expect(throws: LockError.fenced(id: next.id, presented: lock.fencingToken, current: next.fencingToken)) {
            _ = try locks.heartbeat(next.id, holder: "user:2", fencingToken: lock.fencingToken, ttl: .seconds(1))
        }
    }

    @Test("a forced release frees the scope at once")
    func forced() throws {
        let locks = InMemoryLockManager(clock: ManualWallClock())
        let lock = try locks.acquire(.branch("main"), kind: .maintenance, holder: "user:1", ttl: .seconds(3600))
        #expect(locks.forceRelease(lock.id) == lock)
        #expect(locks.locks().isEmpty)
        #expect(!locks.isCurrent(lock.id, fencingToken: lock.fencingToken))
    }

    @Test("200 tasks racing for one scope: never two holders, and fencing tokens strictly increase across grants")
    func race() async throws {
        let locks = InMemoryLockManager(clock: ManualWallClock())
        let holders = Holders()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<200 {
                group.addTask {
                    for _ in 0..<5 {
                        guard let lock = try? locks.acquire(.resource(branch: "main", key: Self.employee), kind: .manual, holder: "t\(task)", ttl: .seconds(60))
                        else { continue }
                        holders.state.withLock {
                            $0.current += 1
                            $0.most = max($0.most, $0.current)
                            $0.tokens.append(lock.fencingToken)
                        }
                        await Task.yield()
                        holders.state.withLock { $0.current -= 1 }
                        #expect(locks.release(lock.id, holder: "t\(task)", fencingToken: lock.fencingToken))
                    }
                }
            }
        }
        let result = holders.state.withLock { $0 }
        #expect(result.most == 1)
        #expect(result.tokens.count > 1)
        #expect(result.tokens == result.tokens.sorted() && Set(result.tokens).count == result.tokens.count)
    }
}
