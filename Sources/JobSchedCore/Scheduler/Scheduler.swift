/// Decides which queued jobs start, keeping at most `limit` running.
///
/// Pure bookkeeping with no I/O, so it is unit-tested on its own; the server
/// asks it what to start and tells it what ended.
struct Scheduler {
    let limit: Int
    private(set) var queue = JobQueue()
    private(set) var running: Set<JobID> = []

    init(limit: Int) {
        precondition(limit >= 1)
        self.limit = limit
    }

    mutating func enqueue(_ id: JobID) { queue.append(id) }

    /// Takes a queued job out of the queue; false if it was not queued.
    mutating func dequeue(_ id: JobID) -> Bool { queue.remove(id) }

    /// The jobs to start now, in order; they count as running from here on.
    mutating func admit() -> [JobID] {
        var started: [JobID] = []
        while running.count < limit, let id = queue.popFirst() {
            running.insert(id)
            started.append(id)
        }
        return started
    }

    /// Frees the slot of a job that was admitted and has ended.
    mutating func finished(_ id: JobID) { running.remove(id) }
}
