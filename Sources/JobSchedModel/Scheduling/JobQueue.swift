/// A first-in-first-out queue of job ids.
///
/// Removal (kill, client disconnect) is O(1): the id is forgotten and its
/// stale entry skipped when it reaches the head. Each append gets a sequence
/// number, so an id removed and appended again goes to the back.
package struct JobQueue {
    private var order: [(id: JobID, sequence: UInt64)] = []
    private var head = 0
    /// The sequence number of each member's live entry.
    private var members = JobIDMap<UInt64>()
    private var nextSequence: UInt64 = 0

    package var count: Int { members.count }
    package var isEmpty: Bool { members.isEmpty }

    package func contains(_ id: JobID) -> Bool { members[id] != nil }

    package mutating func append(_ id: JobID) {
        guard members[id] == nil else { return }
        nextSequence += 1
        members[id] = nextSequence
        order.append((id, nextSequence))
    }

    /// Returns true if `id` was queued.
    @discardableResult
    package mutating func remove(_ id: JobID) -> Bool {
        members.removeValue(forKey: id) != nil
    }

    /// The oldest queued id, without taking it.
    package var first: JobID? {
        mutating get {
            skipStale()
            return head < order.count ? order[head].id : nil
        }
    }

    package mutating func popFirst() -> JobID? {
        skipStale()
        guard head < order.count else { return nil }
        let id = order[head].id
        head += 1
        members[id] = nil
        compactIfMostlyConsumed()
        return id
    }

    /// The oldest `count` queued ids at most, reading at most eight times as
    /// many entries (removed ones linger until compacted): a bounded look.
    package func prefix(_ count: Int) -> [JobID] {
        var ids: [JobID] = []
        var index = head
        while ids.count < count, index < order.count, index - head < 8 * count {
            if isLive(order[index]) { ids.append(order[index].id) }
            index += 1
        }
        return ids
    }

    /// Every queued id, oldest first.
    package var ids: [JobID] { order[head...].filter { isLive($0) }.map(\.id) }

    private func isLive(_ entry: (id: JobID, sequence: UInt64)) -> Bool { members[entry.id] == entry.sequence }

    private mutating func skipStale() {
        while head < order.count, !isLive(order[head]) { head += 1 }
    }

    private mutating func compactIfMostlyConsumed() {
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
