import JobSchedModel
import JobSchedSystem

/// A job that is queued or running, with what the runner holds for it.
///
/// A million of them may wait, so what only some jobs need (a client that
/// streams the output, followers, a spool writer, a timeout, a kill under
/// way) lives apart in `Extras`, made the first time one of them is set.
package final class ActiveJob {
    package var job: Job
    /// While queued: the timer of `delay=`/`at=` or of a retry's pause; the job is not ready before it fires.
    package var startTimer: Event?
    private var extras: Extras?

    private final class Extras {
        var syncClient: (any OutputClient)?
        var clientSawNewline = true
        var followers: [Follower] = []
        var spool: SpoolWriter?
        var killReason: String?
        var timeoutTimer: Event?
    }

    package init(job: Job, syncClient: (any OutputClient)?) {
        self.job = job
        self.syncClient = syncClient
    }

    /// The extras, made now if the job had none; nil when `value` is nil and there are none to change.
    private func extras<Value>(toSet value: Value?) -> Extras? {
        if extras == nil && value != nil { extras = Extras() }
        return extras
    }

    /// The client of a sync job, whose reply streams the job's output.
    package var syncClient: (any OutputClient)? {
        get { extras?.syncClient }
        set { extras(toSet: newValue)?.syncClient = newValue }
    }
    /// Whether the last byte sent to the sync client was a newline (true before any).
    package var clientSawNewline: Bool {
        get { extras?.clientSawNewline ?? true }
        set { extras(toSet: newValue ? nil : false)?.clientSawNewline = newValue }
    }
    /// Clients of `/output?follow=1`.
    package var followers: [Follower] {
        get { extras?.followers ?? [] }
        set { extras(toSet: newValue.isEmpty ? nil : newValue)?.followers = newValue }
    }
    package var spool: SpoolWriter? {
        get { extras?.spool }
        set { extras(toSet: newValue)?.spool = newValue }
    }
    /// Set when jobsched decided to end the job: it will finish as `killed` with this `msg`.
    package var killReason: String? {
        get { extras?.killReason }
        set { extras(toSet: newValue)?.killReason = newValue }
    }
    /// While running: the `timeout=` timer.
    package var timeoutTimer: Event? {
        get { extras?.timeoutTimer }
        set { extras(toSet: newValue)?.timeoutTimer = newValue }
    }
}

/// A client of `/output?follow=1`: the stream it asked for, and whether the
/// last byte it was sent was a newline (its status line starts a line).
package struct Follower {
    package let client: any OutputClient
    package let stream: JobOutputStream
    package var sawNewline: Bool
}
