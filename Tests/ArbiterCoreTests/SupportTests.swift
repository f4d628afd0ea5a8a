import ArbiterCore
import Crypto
import Foundation
import Synchronization
import Testing

@Suite("Identifiers and clocks")
struct IdentifierTests {
    @Test("UUIDv7 carries the clock's milliseconds, version 7 and the RFC variant")
    func uuidV7Layout() throws {
        let clock = ManualWallClock(Date(unixMilliseconds: 0x0192_3456_789A))
        let id = UUIDv7Generator(clock: clock).next()
        #expect(id.count == 36)
        #expect(id.hasPrefix("01923456-789a-7"))
        let variant = id[id.index(id.startIndex, offsetBy: 19)]
        #expect("89ab".contains(variant))
        #expect(UUID(uuidString: id) != nil)
    }

    @Test("UUIDv7 sorts by creation time and does not repeat")
    func uuidV7Ordering() {
        let clock = ManualWallClock()
        let generator = UUIDv7Generator(clock: clock)
        var ids: [String] = []
        for _ in 0..<2000 {
            ids.append(generator.next())
            clock.advance(by: 0.001)
        }
        #expect(ids == ids.sorted())
        let sameMillisecond = (0..<10_000).map { _ in generator.next() }
        #expect(Set(sameMillisecond).count == sameMillisecond.count)
    }

    @Test("sequential ids count up, also when called from many tasks")
    func sequential() async {
        let generator = SequentialIDGenerator(prefix: "r")
        let ids = await withTaskGroup(of: String.self) { group in
            for _ in 0..<200 { group.addTask { generator.next() } }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids) == Set((1...200).map { "r-\($0)" }))
    }

    @Test("the manual clock moves only when told")
    func manualClock() {
        let clock = ManualWallClock(Date(unixMilliseconds: 1000))
        #expect(clock.now() == Date(unixMilliseconds: 1000))
        clock.advance(by: 86_400)
        #expect(clock.now().unixMilliseconds == 86_401_000)
        clock.set(Date(unixMilliseconds: 5))
        #expect(clock.now().unixMilliseconds == 5)
    }
}

@Suite("Support")
struct SupportTests {
    @Test("SHA-256 hex digest matches the FIPS 180-2 test vectors")
    func sha256() {
        #expect(SHA256.hexDigest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(of: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("withTimeout returns a fast result and cancels a slow one")
    func timeout() async throws {
        #expect(try await withTimeout(.seconds(5)) { 42 } == 42)
        let start = ContinuousClock.now
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(50)) {
                try await Task.sleep(for: .seconds(30))
                return 0
            }
        }
        // The slow operation was cancelled rather than awaited.
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test("withTimeout returns when time is up even while the operation ignores cancellation and goes on")
    func timeoutWithStubbornOperation() async throws {
        // The operation ignores cancellation and runs until the test releases it (or a minute passes), so the
        // check is about order, not speed: withTimeout must give up while the operation is still running.
        let released = Mutex(false)
        let finished = Mutex(false)
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(50)) {
                let start = ContinuousClock.now
                while !released.withLock({ $0 }), ContinuousClock.now - start < .seconds(60) {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                finished.withLock { $0 = true }
                return 1
            }
        }
        #expect(finished.withLock { $0 } == false)
        released.withLock { $0 = true }
    }

    @Test("cancelling the caller cancels the operation")
    func timeoutCancelled() async throws {
        let task = Task {
            try await withTimeout(.seconds(30)) {
                try await Task.sleep(for: .seconds(30))
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test("withTimeout passes the operation's own error through")
    func timeoutPassesErrors() async {
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await withTimeout(.seconds(5)) { throw Boom() } }
    }

    @Test("JSON values encode and decode to the same value")
    func jsonRoundTrip() throws {
        let value: JSONValue = ["name": "arbiter", "count": 3, "ratio": .number(0.5), "tags": ["a", "b"], "none": nil, "ok": true]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        #expect(String(decoding: data, as: UTF8.self).contains("\"count\":3"))
        #expect(value["name"]?.stringValue == "arbiter")
    }

    @Test("milliseconds since 1970 convert both ways without drift")
    func milliseconds() {
        for value: Int64 in [0, 1, 999, 1_795_000_123_456, -1000] {
            #expect(Date(unixMilliseconds: value).unixMilliseconds == value)
        }
    }
}
