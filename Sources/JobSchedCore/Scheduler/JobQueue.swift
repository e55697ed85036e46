/// The first-in-first-out queue of jobs waiting for a free slot.
///
/// Removal of a queued job (kill, client disconnect) is O(1): the id is
/// forgotten and skipped when it reaches the head.
struct JobQueue {
    private var order: [JobID] = []
    private var head = 0
    private var members: Set<JobID> = []

    var count: Int { members.count }
    var isEmpty: Bool { members.isEmpty }

    func contains(_ id: JobID) -> Bool { members.contains(id) }

    mutating func append(_ id: JobID) {
        guard members.insert(id).inserted else { return }
        order.append(id)
    }

    /// Returns true if `id` was queued.
    @discardableResult
    mutating func remove(_ id: JobID) -> Bool {
        members.remove(id) != nil
    }

    /// The oldest queued id, without taking it.
    var first: JobID? {
        mutating get {
            skipRemoved()
            return head < order.count ? order[head] : nil
        }
    }

    mutating func popFirst() -> JobID? {
        skipRemoved()
        guard head < order.count else { return nil }
        let id = order[head]
        head += 1
        members.remove(id)
        compactIfMostlyConsumed()
        return id
    }

    private mutating func skipRemoved() {
        while head < order.count, !members.contains(order[head]) { head += 1 }
    }

    /// Every queued id, oldest first.
    var ids: [JobID] { order[head...].filter(members.contains) }

    private mutating func compactIfMostlyConsumed() {
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
