import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem
import Logging

/// What the endpoint handlers work with: the runner (which owns the jobs),
/// the store and its group commit, the spool, the waiters and the metrics.
/// Not the server: a handler cannot reach its sockets, signals, executor or
/// shutdown sequence; it can only ask for a shutdown.
///
/// Each endpoint's handler is an extension in its own file; `RequestRouting`
/// only checks access, decodes the parameters, dispatches and renders errors.
package final class RequestHandlers {
    package let configuration: ServerConfiguration
    package let logger: Logger
    /// For the timers of `/wait?timeout=`.
    package let loop: EventLoop
    package let access: AccessPolicy
    package let store: JobStore
    package let commits: GroupCommit
    package let spool: Spool
    package let runner: JobRunner
    package let waiters = WaiterRegistry()
    package let metrics = ServerMetrics()
    package let events: EventStreams
    /// Where long work (a big `/clean` or batch, `/events` replays) is done a turn at a time.
    package let turns: Turns
    /// The spool's files and bytes, for /overview and /metrics.
    package let spoolCensus: SpoolCensus
    /// The dashboard's pictures of the last hour.
    package var activity: ActivityHistory
    /// Where relative `outlog`/`errlog` paths lead: the server never changes directory.
    package let workingDirectory: String
    /// Submits recorded but not yet committed, so not yet in the queue.
    package var uncommittedSubmits = 0
    /// Batch submits under way (`BatchAdmission`).
    var batchesInFlight: [ObjectIdentifier: BatchAdmission] = [:]
    /// `/shutdown`: the server begins its shutdown.
    package var onShutdownRequested: (String) -> Void = { _ in }

    /// Where `notify=` URLs may point.
    package let webhookRules: WebhookRules

    package init(configuration: ServerConfiguration, logger: Logger, loop: EventLoop, turns: Turns, access: AccessPolicy,
                 webhookRules: WebhookRules, store: JobStore, commits: GroupCommit, spool: Spool, runner: JobRunner,
                 workingDirectory: String) {
        self.configuration = configuration
        self.webhookRules = webhookRules
        self.logger = logger
        self.loop = loop
        self.access = access
        self.store = store
        self.commits = commits
        self.spool = spool
        self.runner = runner
        self.workingDirectory = workingDirectory
        self.turns = turns
        spoolCensus = SpoolCensus(directory: spool.directory, turns: turns)
        spoolCensus.refresh()
        // Above the ids of any earlier run, so that a client resuming across a restart gets a reset.
        events = EventStreams(loop: loop, turns: turns, capacity: configuration.eventHistory,
                              firstID: EventHistory.EventID(Clock.now() * 1_000_000))
        let now = Clock.now()
        activity = ActivityHistory(now: now, finishedPerMinute: (try? store.finishedPerMinute(since: now - 3600)) ?? [:])
        waiters.onComplete = { [unowned self] waiter in self.answer(waiter) }
    }

    /// Every change the runner reports: an ended job releases its waiters and
    /// counts in the metrics; each goes into the activity history and to /events.
    package func observe(_ event: ServerEvent) {
        let now = Clock.now()
        if case .finished(let job) = event {
            metrics.jobFinished(job)
            waiters.jobFinished(job.id)
            activity.jobFinished(at: now)
        }
        activity.queueLengthChanged(to: runner.queuedCount, at: now)
        events.publish(event)
    }

    /// Runs `reply` once the changes a request made are committed; if the
    /// commit fails they are rolled back and the request gets a 503 instead.
    ///
    /// `undo`, for a request that also changed in memory what jobs start with
    /// (an edit, a group's settings), puts that back after a failed commit;
    /// until the commit has confirmed or refused the change, no job starts,
    /// so that what runs is always what is stored.
    package func replyWhenCommitted(_ request: HTTPRequest, format: OutputFormat, undo: (() -> Void)? = nil,
                                    _ reply: @escaping () -> Void) {
        if undo != nil { runner.holdStarts() }
        commits.whenCommitted { [unowned self] result in
            switch result {
            case .success: reply()
            case .failure(let error):
                undo?()
                self.respond(request, error: RequestHandlers.databaseError(error), format: format)
            }
            if undo != nil { self.runner.releaseStarts() }
        }
    }

    package static func databaseError(_ error: SQLiteError) -> RequestError {
        RequestError(status: 503, message: "database: \(error.message)")
    }
}
