public typealias JobID = Int64

public enum JobStatus: String, CaseIterable, Sendable {
    case queued, running, success, killed, failed

    public var isFinished: Bool { self != .queued && self != .running }
}

/// One job's record, exactly as it is stored and shown.
public struct Job: Equatable, Sendable {
    public var id: JobID
    public var name: String
    public var group: String
    public var command: String
    public var status: JobStatus
    /// Exit code, or -N when signal N ended the process; nil while not ended or when failed.
    public var returncode: Int32?
    public var sync: Bool
    public var outlog: String?
    public var errlog: String?
    /// Why the job ended abnormally; empty for a normal end.
    public var msg: String
    /// Seconds since the Unix epoch.
    public var submitted: Double
    public var started: Double?
    public var finished: Double?
    public var pid: Int32?
    /// Higher runs first; first come, first served within a priority.
    public var priority = 0
    /// Start only after these succeed (`after=`) / end in any way (`afterany=`).
    public var after: [JobID] = []
    public var afterAny: [JobID] = []
    /// Not before this time (`delay=`, `at=`), seconds since the epoch.
    public var notBefore: Double?
    /// Seconds a run may take before it is killed.
    public var timeout: Double?
    /// Extra runs after a run that ends with a non-zero code, and the pause before each.
    public var retries = 0
    public var retryDelay = 0.0
    /// Runs started so far.
    public var attempts = 0
    /// Working directory (default: the server's) and extra `NAME=VALUE` environment.
    public var cwd: String?
    public var env: [String] = []
    /// With `--executor slurm`: what the job asks of the cluster, and, once
    /// handed over, its Slurm job id, its node and Slurm's state of it.
    public var slurm = SlurmOptions()
    public var slurmJobID: Int64?
    public var node: String?
    public var slurmState: String?
    /// Slurm's reason for the state, when it gives one (why a pending job waits: `Resources`, `JobHeldAdmin`).
    public var slurmReason: String?
    /// What its last run cost, when it ran here: CPU time, peak memory.
    public var usage: ResourceUsage?

    public init(id: JobID = 0, name: String, group: String, command: String,
                status: JobStatus = .queued, returncode: Int32? = nil, sync: Bool,
                outlog: String? = nil, errlog: String? = nil, msg: String = "",
                submitted: Double, started: Double? = nil, finished: Double? = nil,
                pid: Int32? = nil) {
        self.id = id
        self.name = name
        self.group = group
        self.command = command
        self.status = status
        self.returncode = returncode
        self.sync = sync
        self.outlog = outlog
        self.errlog = errlog
        self.msg = msg
        self.submitted = submitted
        self.started = started
        self.finished = finished
        self.pid = pid
    }
}
