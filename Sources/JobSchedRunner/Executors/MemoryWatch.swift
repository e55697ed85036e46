import JobSchedModel
import JobSchedSystem

/// Enforces `mem=` where the kernel cannot (`MemoryLimits`): every
/// `interval`, the resident memory of each watched job's process group is
/// summed from /proc (a few hundred processes a turn, so a busy machine does
/// not hold the loop), and a job over its limit is reported, to be stopped.
final class MemoryWatch {
    /// How often the jobs' memory is read: a job over its limit is stopped within about this.
    static let interval = 1.0

    private let loop: EventLoop
    private let turns: Turns
    private var watched: [JobID: (group: Int32, limit: MemorySize)] = [:]
    private var timer: Event?
    private var isCounting = false
    /// A job, its limit, and what it used.
    var onExceeded: (JobID, MemorySize, Int) -> Void = { _, _, _ in }

    init(loop: EventLoop, turns: Turns) {
        self.loop = loop
        self.turns = turns
    }

    func watch(_ id: JobID, group: Int32, limit: MemorySize) {
        watched[id] = (group, limit)
        if timer == nil { scheduleCount() }
    }

    func forget(_ id: JobID) {
        watched[id] = nil
        if watched.isEmpty { timer = nil }
    }

    private func scheduleCount() {
        timer = loop.timer(after: MemoryWatch.interval) { [unowned self] in
            timer = nil
            count()
        }
    }

    private func count() {
        guard !watched.isEmpty, !isCounting else { return }
        isCounting = true
        turns.add(ProcessGroupMemory.census(of: Set(watched.values.map(\.group))) { [unowned self] sums in
            isCounting = false
            for (id, job) in watched {
                if let used = sums[job.group], used > job.limit.bytes { onExceeded(id, job.limit, used) }
            }
            if !watched.isEmpty && timer == nil { scheduleCount() }
        })
    }
}
