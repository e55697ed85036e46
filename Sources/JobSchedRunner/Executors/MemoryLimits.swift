import JobSchedModel
import JobSchedSystem

/// Holds local jobs to their `mem=`. Where the server can make memory
/// cgroups, each such job runs in one of its own, limited to its `mem=`: the
/// kernel keeps it there, and tells (an event, not a poll) when it runs out
/// of memory there, which the kernel's out-of-memory killer answers. Elsewhere the job's
/// process group is sampled (`MemoryWatch`). Either way a job found over its
/// limit is reported, to be stopped whole with the reason as its `msg`.
package final class MemoryLimits {
    private struct Limited {
        let limit: MemorySize
        var cgroup: JobCgroup?
        /// Fires when the kernel's out-of-memory killer may have acted in `cgroup`.
        var notice: (notifier: CgroupNotifier, event: Event)?
        var isReported = false
    }

    private let loop: EventLoop
    private let cgroups: MemoryCgroups?
    private let sampling: MemoryWatch
    private var jobs: [JobID: Limited] = [:]
    /// Cgroups that still held processes when their job ended: removed once they have gone.
    private var leftCgroups: [JobCgroup] = []
    /// How often a job without a cgroup is sampled: one over its limit is stopped within about this.
    package static var samplingInterval: Double { MemoryWatch.interval }
    /// A job over its limit, and why.
    var onExceeded: (JobID, String) -> Void = { _, _ in }

    init(loop: EventLoop, turns: Turns, cgroups: MemoryCgroups?) {
        self.loop = loop
        self.cgroups = cgroups
        sampling = MemoryWatch(loop: loop, turns: turns)
        sampling.onExceeded = { [unowned self] id, limit, used in
            guard jobs[id]?.isReported == false else { return }
            jobs[id]?.isReported = true
            sampling.forget(id)
            onExceeded(id, MemoryLimit.exceeded(limit: limit, used: used))
        }
    }

    /// Before job `id` starts: the cgroup to start it in, nil where it is sampled instead.
    func prepare(_ id: JobID, limit: MemorySize) throws(ExecutorError) -> JobCgroup? {
        var limited = Limited(limit: limit)
        if let cgroups {
            let cgroup: JobCgroup
            do {
                cgroup = try cgroups.create("job-\(id)", limit: limit.bytes)
            } catch {
                throw ExecutorError(message: "cannot make its memory cgroup: \(error.description)")
            }
            limited.cgroup = cgroup
            if let notifier = cgroups.outOfMemoryNotifier(for: cgroup) {
                let event = loop.readEvent(fd: notifier.fd) { [unowned self] in self.check(id) }
                event.add()
                limited.notice = (notifier, event)
            }
        }
        jobs[id] = limited
        return limited.cgroup
    }

    /// Its process group, once known: sampled from now on, unless the kernel holds it.
    func started(_ id: JobID, group: Int32) {
        guard let limited = jobs[id], limited.cgroup == nil else { return }
        sampling.watch(id, group: group, limit: limited.limit)
    }

    /// Job `id` is over (or never started): forgotten, its cgroup removed.
    /// Why it ended, if it ran out of memory at its limit (which may have
    /// ended it before the event was heard).
    func ended(_ id: JobID) -> String? {
        guard let limited = jobs.removeValue(forKey: id) else { return nil }
        sampling.forget(id)
        guard let cgroups, let cgroup = limited.cgroup else { return nil }
        limited.notice?.event.remove()
        let ranOut = cgroups.ranOutOfMemory(cgroup)
        if !cgroups.remove(cgroup) { leftCgroups.append(cgroup) }
        return ranOut ? MemoryLimit.stoppedByKernel(limit: limited.limit) : nil
    }

    /// After each round of reaping: the cgroups whose processes have all gone are removed.
    func removeEmptiedCgroups() {
        guard let cgroups, !leftCgroups.isEmpty else { return }
        leftCgroups.removeAll { cgroups.remove($0) }
    }

    /// As the server exits (its jobs ended): the cgroups' folder.
    func removeCgroups() { cgroups?.removeAll() }

    private func check(_ id: JobID) {
        guard let cgroups, let limited = jobs[id], let cgroup = limited.cgroup, let notice = limited.notice else { return }
        notice.notifier.drain()
        guard !limited.isReported, cgroups.notifierMeansOutOfMemory || cgroups.ranOutOfMemory(cgroup) else { return }
        jobs[id]?.isReported = true
        onExceeded(id, MemoryLimit.stoppedByKernel(limit: limited.limit))
    }
}
