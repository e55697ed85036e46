import JobSchedModel
import JobSchedSystem

/// A job that is queued or running, with what the runner holds for it.
package final class ActiveJob {
    package var job: Job
    /// The client of a sync job, whose reply streams the job's output.
    package var syncClient: (any OutputClient)?
    /// Whether the last byte sent to the sync client was a newline (true before any).
    package var clientSawNewline = true
    /// Clients of `/output?follow=1`.
    package var followers: [Follower] = []
    package var spool: SpoolWriter?
    /// Set when jobsched decided to end the job: it will finish as `killed` with this `msg`.
    package var killReason: String?
    /// While queued: the timer of `delay=`/`at=` or of a retry's pause; the job is not ready before it fires.
    package var startTimer: Event?
    /// While running: the `timeout=` timer.
    package var timeoutTimer: Event?

    package init(job: Job, syncClient: (any OutputClient)?) {
        self.job = job
        self.syncClient = syncClient
    }
}

/// A client of `/output?follow=1`: the stream it asked for, and whether the
/// last byte it was sent was a newline (its status line starts a line).
package struct Follower {
    package let client: any OutputClient
    package let stream: JobOutputStream
    package var sawNewline: Bool
}
