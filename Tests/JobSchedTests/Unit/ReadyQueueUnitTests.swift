import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: ReadyQueue")
struct ReadyQueueUnitTests {
    private static func queue(_ entries: [(JobID, Int)]) -> ReadyQueue {
        var queue = ReadyQueue()
        for (id, priority) in entries { queue.append(id, priority: priority) }
        return queue
    }

    private static func drain(_ queue: inout ReadyQueue) -> [JobID] {
        var popped: [JobID] = []
        while let id = queue.popFirst() { popped.append(id) }
        return popped
    }

    @Test(arguments: [
        // (id, priority) in the order they became ready → the order they start
        ([], []),
        ([(1, 0), (2, 0), (3, 0)], [1, 2, 3]),
        ([(1, 0), (2, 5), (3, 1)], [2, 3, 1]),
        ([(1, 1), (2, 5), (3, 1), (4, 5), (5, 0), (6, 1)], [2, 4, 1, 3, 6, 5]),
        ([(1, -1), (2, 0), (3, -5), (4, -1), (5, 1)], [5, 2, 1, 4, 3]),
        ([(1, -1_000_000), (2, 1_000_000), (3, 0)], [2, 3, 1]),
        ([(9, 2), (3, 2), (7, 2)], [9, 3, 7]),  // FIFO, not by id
    ] as [([(JobID, Int)], [JobID])])
    func highestPriorityFirstThenFIFO(entries: [(JobID, Int)], order: [JobID]) {
        var queue = Self.queue(entries)
        #expect(queue.count == order.count && queue.isEmpty == order.isEmpty)
        #expect(queue.ids == order)
        #expect(Self.drain(&queue) == order)
        #expect(queue.isEmpty && queue.count == 0 && queue.ids == [])
        let head = queue.first
        #expect(head == nil)
    }

    @Test func appendingAReadyIDAgainIsIgnoredEvenWithAnotherPriority() {
        var queue = Self.queue([(1, 0), (2, 0), (1, 9)])
        #expect(queue.count == 2 && queue.ids == [1, 2])
        let head = queue.first
        #expect(head?.id == 1 && head?.priority == 0)
    }

    @Test func removeFromTheMiddle() {
        var queue = Self.queue([(1, 1), (2, 1), (3, 1), (4, 0), (5, 2)])
        let removed = [queue.remove(2), queue.remove(2), queue.remove(99)]
        #expect(removed == [true, false, false])
        #expect(!queue.contains(2) && queue.contains(1) && queue.contains(4))
        #expect(queue.count == 4 && queue.ids == [5, 1, 3, 4])
        #expect(Self.drain(&queue) == [5, 1, 3, 4])
    }

    @Test func removingTheOnlyJobOfAPriorityDropsThatPriority() {
        var queue = Self.queue([(1, 0), (2, 7), (3, -3)])
        let removedTop = queue.remove(2)
        #expect(removedTop)
        let head = queue.first
        #expect(head?.id == 1 && head?.priority == 0)
        let removedHead = queue.remove(1)
        #expect(removedHead)
        #expect(queue.ids == [3])
        // The priority comes back in its place when a job with it arrives again.
        queue.append(4, priority: 7)
        queue.append(5, priority: 0)
        #expect(queue.ids == [4, 5, 3])
        #expect(Self.drain(&queue) == [4, 5, 3])
    }

    @Test func removeEverything() {
        var queue = Self.queue([(1, 0), (2, 3)])
        queue.remove(1)
        queue.remove(2)
        #expect(queue.isEmpty && queue.ids == [] && queue.popFirst() == nil)
        let head = queue.first
        #expect(head == nil)
    }

    @Test func firstPeeksWithoutTaking() {
        var queue = Self.queue([(1, 0), (2, 4), (3, 4)])
        let peeks = [queue.first, queue.first]
        #expect(peeks.map { $0?.id } == [2, 2])
        #expect(peeks.map { $0?.priority } == [4, 4])
        #expect(queue.count == 3 && queue.ids == [2, 3, 1])
        #expect(queue.popFirst() == 2)
        let next = queue.first
        #expect(next?.id == 3)
        queue.remove(3)
        let last = queue.first
        #expect(last?.id == 1 && last?.priority == 0)
    }

    @Test func laterHigherPriorityOvertakesTheHead() {
        var queue = Self.queue([(1, 0), (2, 0)])
        #expect(queue.popFirst() == 1)
        queue.append(3, priority: 1)
        queue.append(1, priority: 0)  // popped ids may come back, at the back of their priority
        #expect(queue.ids == [3, 2, 1])
        #expect(Self.drain(&queue) == [3, 2, 1])
    }

    @Test func manyPrioritiesStayOrdered() {
        var queue = ReadyQueue()
        var expected: [(id: JobID, priority: Int)] = []
        for id in JobID(1)...200 {
            let priority = Int((id * 37) % 11) - 5
            queue.append(id, priority: priority)
            expected.append((id, priority))
        }
        for id in stride(from: JobID(3), through: 200, by: 3) { queue.remove(id) }
        expected.removeAll { $0.id % 3 == 0 }
        // A stable sort by descending priority keeps FIFO within a priority.
        let order = expected.enumerated()
            .sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }
            .map(\.element.id)
        #expect(queue.ids == order)
        #expect(Self.drain(&queue) == order)
    }
}
