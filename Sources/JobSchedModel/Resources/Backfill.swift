/// Amounts of what jobs hold and what is free, compared dimension by
/// dimension: a running-job slot (`-j`), cpus, bytes of memory, GPUs. A
/// resource the server does not count is `unlimited` free.
package struct ResourceAmounts: Equatable, Sendable {
    package var jobs: Int
    package var cpus: Int
    package var mem: Int
    package var gpus: Int

    /// Free of what is not counted: more than any request.
    package static let unlimited = 1 << 52

    package init(jobs: Int = 1, cpus: Int, mem: Int, gpus: Int) {
        (self.jobs, self.cpus, self.mem, self.gpus) = (jobs, cpus, mem, gpus)
    }

    package init(_ request: ResourceRequest) {
        self.init(cpus: request.cpus, mem: request.mem?.bytes ?? 0, gpus: request.gpus)
    }

    package func fits(in free: ResourceAmounts) -> Bool {
        jobs <= free.jobs && cpus <= free.cpus && mem <= free.mem && gpus <= free.gpus
    }

    package static func + (a: ResourceAmounts, b: ResourceAmounts) -> ResourceAmounts {
        ResourceAmounts(jobs: a.jobs + b.jobs, cpus: a.cpus + b.cpus, mem: a.mem + b.mem, gpus: a.gpus + b.gpus)
    }

    /// What is left of each, never below zero.
    package func leaving(_ b: ResourceAmounts) -> ResourceAmounts {
        ResourceAmounts(jobs: max(0, jobs - b.jobs), cpus: max(0, cpus - b.cpus), mem: max(0, mem - b.mem), gpus: max(0, gpus - b.gpus))
    }
}

/// Whether a job behind the first one in line (the head, which does not fit
/// now) may start ahead of it, as Slurm's backfill decides: only when that
/// cannot make the head start later. Without this, a 4-cpu job behind a
/// stream of 1-cpu jobs would wait until the stream dries up.
package enum Backfill {
    /// When the head is sure to fit: running jobs end at the latest when
    /// their timeouts do, so once enough of them have, the head's share is
    /// free. Nil when no such time is known (a job it waits for has no timeout).
    package static func shadowTime(head: ResourceAmounts, free: ResourceAmounts,
                                   running: [(held: ResourceAmounts, endsBy: Double?)]) -> Double? {
        var freed = free
        for job in running.sorted(by: { ($0.endsBy ?? .infinity) < ($1.endsBy ?? .infinity) }) {
            guard let end = job.endsBy else { return nil }
            freed = freed + job.held
            if head.fits(in: freed) { return end }
        }
        return nil
    }

    /// A job that fits now may pass the head if it leaves the head's share of
    /// every resource free (it fits beside the head, whenever the head
    /// starts), or if its timeout ends it by the head's shadow time.
    package static func mayPass(_ job: ResourceAmounts, endsBy: Double?, free: ResourceAmounts,
                                head: ResourceAmounts, shadowTime: Double?) -> Bool {
        guard job.fits(in: free) else { return false }
        // Resources only come free from now on: what is left beside the head now stays left.
        if job.fits(in: free.leaving(head)) { return true }
        guard let shadowTime, let endsBy else { return false }
        return endsBy <= shadowTime
    }
}
