/// The latest events with their ids, so that a client that reconnects with
/// `Last-Event-ID` gets what it missed. Bounded: the oldest events go first.
///
/// Ids increase by one per event. Each run starts from a number above any
/// earlier run's (the caller passes one derived from the clock), so an id kept
/// from before a restart is told apart from one of this run.
package struct EventHistory {
    package typealias EventID = UInt64

    package let capacity: Int
    /// A ring: `entries[start]` is the oldest once it is full.
    private var entries: [(id: EventID, event: ServerEvent)] = []
    private var start = 0
    /// The id of the latest event; `firstID - 1` before any.
    package private(set) var lastID: EventID

    package init(capacity: Int, firstID: EventID) {
        precondition(capacity >= 1 && firstID >= 1)
        self.capacity = capacity
        lastID = firstID - 1
        entries.reserveCapacity(min(capacity, 1024))
    }

    /// Keeps `event` and returns its id.
    package mutating func append(_ event: ServerEvent) -> EventID {
        lastID += 1
        if entries.count < capacity {
            entries.append((lastID, event))
        } else {
            entries[start] = (lastID, event)
            start = (start + 1) % capacity
        }
        return lastID
    }

    private var oldestID: EventID { lastID + 1 - EventID(entries.count) }

    /// The events after `id`, oldest first; nil when some of them are no
    /// longer kept, or when `id` is not one this history gave out.
    /// At most `limit` of them: a client far behind is sent what it missed a slice at a time.
    package func events(after id: EventID, limit: Int = .max) -> [(id: EventID, event: ServerEvent)]? {
        guard id <= lastID, id + 1 >= oldestID else { return nil }
        let missed = Int(lastID - id)
        let first = entries.count - missed
        return (first ..< first + min(missed, limit)).map { entries[(start + $0) % entries.count] }
    }
}
