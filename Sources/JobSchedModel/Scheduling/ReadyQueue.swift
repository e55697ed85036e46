/// One group's jobs that may start now: highest priority first, then in the
/// order they became ready.
package struct ReadyQueue {
    private var queues: [Int: JobQueue] = [:]
    /// The priorities with a non-empty queue, highest first.
    private var priorities: [Int] = []
    private var priorityOf = JobIDMap<Int>()

    package var count: Int { priorityOf.count }
    package var isEmpty: Bool { priorityOf.isEmpty }

    package func contains(_ id: JobID) -> Bool { priorityOf[id] != nil }

    package mutating func append(_ id: JobID, priority: Int) {
        guard priorityOf[id] == nil else { return }
        priorityOf[id] = priority
        if queues[priority, default: JobQueue()].isEmpty {
            let index = priorities.firstIndex(where: { $0 < priority }) ?? priorities.endIndex
            priorities.insert(priority, at: index)
        }
        queues[priority, default: JobQueue()].append(id)
    }

    @discardableResult
    package mutating func remove(_ id: JobID) -> Bool {
        guard let priority = priorityOf.removeValue(forKey: id) else { return false }
        queues[priority]?.remove(id)
        dropIfEmpty(priority)
        return true
    }

    /// The next job and its priority, without taking it.
    package var first: (id: JobID, priority: Int)? {
        mutating get {
            guard let priority = priorities.first, let id = queues[priority]?.first else { return nil }
            return (id, priority)
        }
    }

    package mutating func popFirst() -> JobID? {
        guard let priority = priorities.first, let id = queues[priority]?.popFirst() else { return nil }
        priorityOf[id] = nil
        dropIfEmpty(priority)
        return id
    }

    /// The first `count` ready jobs at most, in the order they would start.
    package func prefix(_ count: Int) -> [(id: JobID, priority: Int)] {
        var jobs: [(id: JobID, priority: Int)] = []
        for priority in priorities where jobs.count < count {
            jobs += (queues[priority]?.prefix(count - jobs.count) ?? []).map { ($0, priority) }
        }
        return jobs
    }

    /// Every ready id, in the order they would start.
    package var ids: [JobID] { priorities.flatMap { queues[$0]?.ids ?? [] } }

    private mutating func dropIfEmpty(_ priority: Int) {
        guard queues[priority]?.isEmpty ?? true else { return }
        queues[priority] = nil
        priorities.removeAll { $0 == priority }
    }
}
