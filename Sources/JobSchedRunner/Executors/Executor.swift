import JobSchedModel
import JobSchedSystem

/// Where jobs run: starts a job's command, stops it, hands on its output as
/// it arrives and reports its end. The local executor spawns processes on
/// this machine; another (a cluster's) fits the same seam, and the runner
/// and the handlers do not change.
package protocol Executor: AnyObject {
    /// Called once for each started job, after the last of its output, when its run has ended.
    var onEnded: (JobID, RunEnd) -> Void { get set }
    /// Called when a cluster tells where a started job is (its id there, node, state).
    var onPlaced: (JobID, ClusterPlacement) -> Void { get set }
    /// Called when the last stopped job's stop has settled (see `isIdle`).
    var onIdle: () -> Void { get set }
    /// Whether no stopped job still awaits its forced end.
    var isIdle: Bool { get }
    /// Whether a started job may first wait in a queue of the executor's own
    /// (a cluster's): its run then begins, for `started` and the timeout,
    /// when `onPlaced` says so, not when it is handed over.
    var hasOwnQueue: Bool { get }
    /// Whether a restart of the server reads its jobs' output on from where
    /// it had been spooled (a cluster's output files): then every byte must
    /// be in the spool's files once handed over, none held in memory (`SpoolWriter`).
    var readsOnAfterRestart: Bool { get }

    /// Starts the job's command in `environment` (jobsched's variables added)
    /// with the output wiring of `plan`; `output` receives what it writes,
    /// tagged with the stream, as it is read. Returns the id of the job's
    /// process on this machine, if it has one.
    func start(_ job: Job, environment: BaseEnvironment, plan: OutputPlan,
               output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32?

    /// Takes charge again of a job a previous run of the server started, if
    /// this executor's jobs outlive the server (a cluster's do); false if not.
    func adopt(_ job: Job, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) -> Bool

    /// Asks a running job to end now, and forces it after a grace period.
    func stop(_ id: JobID)
    /// Forces every stopped job's end at once (a second Ctrl-C).
    func stopAllNow()
    /// Stops reading a job's output until `resumeOutput`: its reader lags behind.
    func pauseOutput(of id: JobID)
    func resumeOutput(of id: JobID)
}

/// Why a job could not be started: becomes the `failed` job's `msg`.
package struct ExecutorError: Error, Equatable {
    package let message: String

    package init(message: String) {
        self.message = message
    }
}
