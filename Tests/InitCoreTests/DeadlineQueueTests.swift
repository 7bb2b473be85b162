import Testing

@testable import InitCore

@Suite struct DeadlineQueueTests {
    private func at(_ ms: Int64) -> Instant { Instant(nanoseconds: ms * 1_000_000) }

    private func drain(_ queue: inout DeadlineQueue<String>, at now: Instant) -> [String] {
        var fired: [String] = []
        while let (_, name) = queue.popDue(at: now) { fired.append(name) }
        return fired
    }

    @Test func firesEarliestFirstAndEqualDeadlinesInTheOrderScheduled() {
        var queue = DeadlineQueue<String>()
        for (id, (name, ms)) in [("c", 30), ("a", 10), ("b1", 20), ("b2", 20), ("d", 40)].enumerated() {
            queue.insert(name, at: at(Int64(ms)), id: UInt64(id))
        }
        #expect(queue.nextDeadline() == at(10))
        #expect(drain(&queue, at: at(5)).isEmpty, "nothing is due before its deadline")
        #expect(drain(&queue, at: at(20)) == ["a", "b1", "b2"])
        #expect(queue.nextDeadline() == at(30))
        #expect(drain(&queue, at: at(100)) == ["c", "d"])
        #expect(queue.isEmpty && queue.nextDeadline() == nil)
    }

    @Test func aCancelledTimerNeverFiresAndNoLongerSetsTheNextDeadline() {
        var queue = DeadlineQueue<String>()
        queue.insert("early", at: at(10), id: 1)
        queue.insert("late", at: at(50), id: 2)
        queue.remove(id: 1)
        queue.remove(id: 99)
        #expect(queue.count == 1)
        #expect(queue.nextDeadline() == at(50))
        #expect(drain(&queue, at: at(60)) == ["late"])
    }

    @Test func manyCancelledTimersDoNotAccumulate() {
        // A connection deadline scheduled and cancelled per request: 100,000 of them must not pile up.
        var queue = DeadlineQueue<Int>()
        queue.insert(-1, at: at(1_000_000), id: 0)
        for id in 1...100_000 {
            queue.insert(id, at: at(5_000 + Int64(id)), id: UInt64(id))
            queue.remove(id: UInt64(id))
        }
        #expect(queue.count == 1)
        #expect(queue.storedEntries <= 2 * queue.count + 64)
        #expect(queue.nextDeadline() == at(1_000_000))
    }

    @Test func agreesWithASortedListUnderRandomUse() {
        var generator = SystemRandomNumberGenerator()
        var queue = DeadlineQueue<UInt64>()
        var model: [UInt64: Int64] = [:]
        var now: Int64 = 0
        for id in UInt64(1)...5_000 {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<5:
                let deadline = now + Int64.random(in: 0...200, using: &generator)
                queue.insert(id, at: at(deadline), id: id)
                model[id] = deadline
            case 5..<7:
                if let victim = model.keys.randomElement(using: &generator) {
                    queue.remove(id: victim)
                    model[victim] = nil
                }
            default:
                now += Int64.random(in: 0...50, using: &generator)
                var fired: [UInt64] = []
                while let (_, payload) = queue.popDue(at: at(now)) { fired.append(payload) }
                let due = model.filter { $0.value <= now }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
                #expect(fired == due.map(\.key))
                for key in fired { model[key] = nil }
            }
            #expect(queue.count == model.count)
            #expect(queue.nextDeadline() == model.values.min().map(at))
        }
    }
}
