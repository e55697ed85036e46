/// A change to a job that has not started (`/edit`): each field given
/// replaces the job's, the others stay as they are.
package struct JobEdit: Equatable, Sendable {
    package var command: String?
    package var name: String?
    package var group: String?
    package var priority: Int?
    /// A new start time: `delay` seconds from the edit, or the time `at`; at most one of them.
    package var delay: Double?
    package var at: Double?
    package var timeout: Double?
    package var retries: Int?
    package var retryDelay: Double?
    package var cpus: Int?
    package var mem: MemorySize?
    package var gpus: Int?
    /// A new notify URL; nil inside: none.
    package var notify: String??

    package init() {}

    package var isEmpty: Bool { self == JobEdit() }

    /// Only `notify` changes: what a running job may still be given.
    package var changesNotifyOnly: Bool {
        var others = self
        others.notify = nil
        return notify != nil && others.isEmpty
    }

    /// The job with the changes made; `now` is the time `delay` counts from.
    package func applied(to job: Job, now: Double) -> Job {
        var job = job
        if let command { job.command = command }
        if let name { job.name = name }
        if let group { job.group = group }
        if let priority { job.priority = priority }
        if let at {
            job.notBefore = at
        } else if let delay {
            job.notBefore = now + delay
        }
        if let timeout { job.timeout = timeout }
        if let retries { job.retries = retries }
        if let retryDelay { job.retryDelay = retryDelay }
        if let cpus { job.resources.cpus = cpus }
        if let mem { job.resources.mem = mem }
        if let gpus { job.resources.gpus = gpus }
        if let notify { job.notify = notify }
        return job
    }

    /// Why a job that is not in the queue cannot be edited (a 409).
    package static func conflict(with job: Job) -> String {
        guard job.status != .queued else {
            // Only between a submit and its commit: the runner does not hold the job yet.
            return "job \(job.id) is not queued yet: its submit is still being committed; try again"
        }
        guard job.status != .running else {
            return "job \(job.id) is running; only a queued job can be edited, and a running one only given notify="
        }
        return "job \(job.id) has already started (status \(job.status.rawValue)); only a queued job can be edited"
    }
}
