/// A job that is queued or running, with what the server holds for it.
final class ActiveJob {
    var job: Job
    /// The client of a sync job, whose reply streams the job's output.
    var syncClient: HTTPRequest?
    /// Whether the last byte sent to the sync client was a newline (true before any).
    var clientSawNewline = true
    /// Clients of `/output?follow=1`, each with the stream it asked for.
    var followers: [(request: HTTPRequest, stream: Spool.Stream)] = []
    var pumps: [OutputPump] = []
    var spool: SpoolWriter?
    /// Set when jobsched decided to end the job: it will finish as `killed` with this `msg`.
    var killReason: String?
    /// While queued: the timer of `delay=`/`at=` or of a retry's pause; the job is not ready before it fires.
    var startTimer: Event?
    /// While running: the `timeout=` timer.
    var timeoutTimer: Event?

    init(job: Job, syncClient: HTTPRequest?) {
        self.job = job
        self.syncClient = syncClient
    }

    var pid: Int32? { job.pid }
}
