import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: JobQueue")
struct JobQueueUnitTests {
    private static func queue(_ ids: JobID...) -> JobQueue {
        var queue = JobQueue()
        for id in ids { queue.append(id) }
        return queue
    }

    private static func drain(_ queue: inout JobQueue) -> [JobID] {
        var popped: [JobID] = []
        while let id = queue.popFirst() { popped.append(id) }
        return popped
    }

    @Test func firstInFirstOut() {
        var queue = Self.queue(5, 3, 9, 1)
        #expect(queue.ids == [5, 3, 9, 1])
        #expect(queue.count == 4 && !queue.isEmpty)
        #expect(Self.drain(&queue) == [5, 3, 9, 1])
        #expect(queue.isEmpty && queue.count == 0 && queue.ids == [])
        #expect(queue.popFirst() == nil)
    }

    @Test func appendingAQueuedIDAgainIsIgnored() {
        var queue = Self.queue(1, 2, 1)
        #expect(queue.count == 2 && queue.ids == [1, 2])
        #expect(Self.drain(&queue) == [1, 2])
    }

    @Test func removeFromTheMiddle() {
        var queue = Self.queue(1, 2, 3, 4)
        let removed = [queue.remove(2), queue.remove(2), queue.remove(99)]
        #expect(removed == [true, false, false])
        #expect(!queue.contains(2) && queue.contains(3))
        #expect(queue.count == 3 && queue.ids == [1, 3, 4])
        #expect(Self.drain(&queue) == [1, 3, 4])
    }

    @Test func removeEverything() {
        var queue = Self.queue(1, 2)
        queue.remove(1)
        queue.remove(2)
        #expect(queue.isEmpty && queue.popFirst() == nil)
    }

    @Test func firstPeeksWithoutTaking() {
        var queue = Self.queue(1, 2, 3)
        queue.remove(1)
        let peeks = [queue.first, queue.first]
        #expect(peeks == [2, 2])
        #expect(queue.count == 2 && queue.ids == [2, 3])
        #expect(queue.popFirst() == 2)
        queue.remove(3)
        let empty = queue.first
        #expect(empty == nil)
    }

    @Test func reappendAfterPopGoesToTheEnd() {
        var queue = Self.queue(1, 2)
        #expect(queue.popFirst() == 1)
        queue.append(1)
        #expect(queue.ids == [2, 1])
        #expect(Self.drain(&queue) == [2, 1])
    }

    @Test func reappendAfterRemoveGoesToTheEnd() {
        var queue = Self.queue(1, 2, 3)
        queue.remove(2)
        queue.append(2)
        #expect(queue.count == 3)
        #expect(queue.ids == [1, 3, 2])
        #expect(Self.drain(&queue) == [1, 3, 2])
    }

    @Test func orderSurvivesCompaction() {
        var queue = JobQueue()
        var expected: [JobID] = []
        var popped: [JobID] = []
        // Interleave pushes, pops and removals well past the compaction threshold.
        for id in JobID(1)...6000 {
            queue.append(id)
            expected.append(id)
            if id % 7 == 0, queue.remove(id - 3) {  // some of these were popped already
                expected.removeAll { $0 == id - 3 }
            }
            if id % 3 != 0, let first = queue.popFirst() { popped.append(first) }
        }
        #expect(queue.count + popped.count == expected.count)
        #expect(popped + queue.ids == expected)
        popped += Self.drain(&queue)
        #expect(popped == expected)
        #expect(queue.isEmpty)
    }

    @Test func refillAfterDrainingPastCompaction() {
        var queue = JobQueue()
        for id in JobID(1)...3000 { queue.append(id) }
        var popped: [JobID] = []
        for _ in 0..<2500 { popped.append(queue.popFirst()!) }
        #expect(popped == Array(1...2500))
        for id in JobID(3001)...3100 { queue.append(id) }
        #expect(queue.ids == Array(2501...3100))
        #expect(Self.drain(&queue) == Array(2501...3100))
    }
}
