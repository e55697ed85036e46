/// The latest events with their ids, so that a client that reconnects with
/// `Last-Event-ID` gets what it missed. Bounded in count and in bytes: the
/// oldest events go first. (By count alone, 3,000 jobs with 100 KB commands
/// kept 357 MB after they were cleaned.)
///
/// Ids increase by one per event. Each run starts from a number above any
/// earlier run's (the caller passes one derived from the clock), so an id kept
/// from before a restart is told apart from one of this run.
package struct EventHistory {
    package typealias EventID = UInt64

    package let capacity: Int
    package let maxBytes: Int
    /// Oldest first, from `head` on; the ones before `head` are gone.
    private var entries: [(id: EventID, event: ServerEvent, bytes: Int)] = []
    private var head = 0
    /// What the kept events weigh, about (`ServerEvent.approximateBytes`).
    package private(set) var bytes = 0
    /// The id of the latest event; `firstID - 1` before any.
    package private(set) var lastID: EventID

    package init(capacity: Int, maxBytes: Int = 64 << 20, firstID: EventID) {
        precondition(capacity >= 1 && firstID >= 1)
        self.capacity = capacity
        self.maxBytes = maxBytes
        lastID = firstID - 1
        entries.reserveCapacity(min(capacity, 1024))
    }

    package var count: Int { entries.count - head }

    /// Keeps `event` and returns its id.
    package mutating func append(_ event: ServerEvent) -> EventID {
        lastID += 1
        let weight = event.approximateBytes
        entries.append((lastID, event, weight))
        bytes += weight
        // The newest stays, however big: a client that is behind is told to reload.
        while count > 1 && (count > capacity || bytes > maxBytes) {
            bytes -= entries[head].bytes
            entries[head].event = .shutdown  // let go of the job it held
            head += 1
        }
        if head > 1024 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return lastID
    }

    private var oldestID: EventID { lastID + 1 - EventID(count) }

    /// The events after `id`, oldest first; nil when some of them are no
    /// longer kept, or when `id` is not one this history gave out.
    /// At most `limit` of them: a client far behind is sent what it missed a slice at a time.
    package func events(after id: EventID, limit: Int = .max) -> [(id: EventID, event: ServerEvent)]? {
        guard id <= lastID, id + 1 >= oldestID else { return nil }
        let first = entries.count - Int(lastID - id)
        return entries[first ..< first + min(limit, entries.count - first)].map { ($0.id, $0.event) }
    }
}
