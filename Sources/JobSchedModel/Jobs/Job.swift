public typealias JobID = Int64

public enum JobStatus: String, CaseIterable, Sendable {
    case queued, running, success, killed, failed

    public var isFinished: Bool { self != .queued && self != .running }
}

/// One job's record, exactly as it is stored and shown.
///
/// A million jobs may wait in memory, so a job holds inline only what the
/// scheduler reads most while it is queued; its other fields are `JobDetails`,
/// held by reference and shared (copy on write) by the jobs that have the
/// same: the jobs of a batch share their template's, and jobs that leave
/// them all at their defaults share one (a queued `true` job cost 806 bytes
/// of the server's memory with every field inline).
public struct Job: Equatable, Sendable {
    public var id: JobID
    public var name: String
    public var group: String
    public var command: String
    public var status: JobStatus
    public var sync: Bool
    /// Seconds since the Unix epoch.
    public var submitted: Double
    /// Higher runs first; first come, first served within a priority.
    public var priority = 0
    private var details = JobDetails()

    /// Start only after these succeed (`after=`) / end in any way (`afterany=`).
    public var after: [JobID] { get { details.fields.after } set { details.fields.after = newValue } }
    public var afterAny: [JobID] { get { details.fields.afterAny } set { details.fields.afterAny = newValue } }
    /// Not before this time (`delay=`, `at=`), seconds since the epoch.
    public var notBefore: Double? { get { details.fields.notBefore } set { details.fields.notBefore = newValue } }

    /// Exit code, or -N when signal N ended the process; nil while not ended or when failed.
    public var returncode: Int32? { get { details.fields.returncode } set { details.fields.returncode = newValue } }
    public var outlog: String? { get { details.fields.outlog } set { details.fields.outlog = newValue } }
    public var errlog: String? { get { details.fields.errlog } set { details.fields.errlog = newValue } }
    /// Why the job ended abnormally; empty for a normal end.
    public var msg: String { get { details.fields.msg } set { details.fields.msg = newValue } }
    public var started: Double? { get { details.fields.started } set { details.fields.started = newValue } }
    public var finished: Double? { get { details.fields.finished } set { details.fields.finished = newValue } }
    public var pid: Int32? { get { details.fields.pid } set { details.fields.pid = newValue } }
    /// Seconds a run may take before it is killed.
    public var timeout: Double? { get { details.fields.timeout } set { details.fields.timeout = newValue } }
    /// Extra runs after a run that ends with a non-zero code, and the pause before each.
    public var retries: Int { get { details.fields.retries } set { details.fields.retries = newValue } }
    public var retryDelay: Double { get { details.fields.retryDelay } set { details.fields.retryDelay = newValue } }
    /// Runs started so far.
    public var attempts: Int { get { details.fields.attempts } set { details.fields.attempts = newValue } }
    /// Working directory (default: the server's) and extra `NAME=VALUE` environment.
    public var cwd: String? { get { details.fields.cwd } set { details.fields.cwd = newValue } }
    public var env: [String] { get { details.fields.env } set { details.fields.env = newValue } }
    /// With `--executor slurm`: what the job asks of the cluster, and, once
    /// handed over, its Slurm job id, its node and Slurm's state of it.
    public var slurm: SlurmOptions { get { details.fields.slurm } set { details.fields.slurm = newValue } }
    public var slurmJobID: Int64? { get { details.fields.slurmJobID } set { details.fields.slurmJobID = newValue } }
    public var node: String? { get { details.fields.node } set { details.fields.node = newValue } }
    public var slurmState: String? { get { details.fields.slurmState } set { details.fields.slurmState = newValue } }
    /// Slurm's reason for the state, when it gives one (why a pending job waits: `Resources`, `JobHeldAdmin`).
    public var slurmReason: String? { get { details.fields.slurmReason } set { details.fields.slurmReason = newValue } }
    /// What its last run cost, when it ran here: CPU time, peak memory.
    public var usage: ResourceUsage? { get { details.fields.usage } set { details.fields.usage = newValue } }
    /// The stored environment the job starts from (the one it was submitted
    /// with: `jobsched add` sends its caller's); nil: the server's.
    public var environmentID: Int64? { get { details.fields.environmentID } set { details.fields.environmentID = newValue } }
    /// What the job asks of the machine (`cpus=`, `mem=`, `gpus=`), and what
    /// its last run was given: which cores and GPUs.
    package var resources: ResourceRequest { get { details.fields.resources } set { details.fields.resources = newValue } }
    package var allocation: Allocation? { get { details.fields.allocation } set { details.fields.allocation = newValue } }
    /// The name of the token that submitted it (`admin` for a bare token);
    /// nil where the server has no tokens.
    public var owner: String? { get { details.fields.owner } set { details.fields.owner = newValue } }
    /// `notify=`: the URL its end is POSTed to.
    package var notify: String? { get { details.fields.notify } set { details.fields.notify = newValue } }
    /// Where that notification stands, read with the job from the store; nil
    /// while the job has not ended or has no `notify`.
    package var delivery: DeliveryState? { get { details.fields.delivery } set { details.fields.delivery = newValue } }
    /// That environment's entries, read only for a listing that asks for them
    /// (`fields=environment`): never held by the jobs in memory.
    public var environment: [String]? { get { details.fields.environment } set { details.fields.environment = newValue } }

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
        self.sync = sync
        self.submitted = submitted
        // Left at their defaults, the details stay the shared ones.
        if returncode != nil || outlog != nil || errlog != nil || !msg.isEmpty || started != nil || finished != nil || pid != nil {
            details.fields = JobDetails.Fields(returncode: returncode, outlog: outlog, errlog: errlog, msg: msg,
                                               started: started, finished: finished, pid: pid)
        }
    }
}

/// The fields of a job that its scheduling does not read, held by reference:
/// copies share them until one of them changes (copy on write).
struct JobDetails: Equatable, Sendable {
    struct Fields: Equatable, Sendable {
        var after: [JobID] = []
        var afterAny: [JobID] = []
        var notBefore: Double?
        var returncode: Int32?
        var outlog: String?
        var errlog: String?
        var msg = ""
        var started: Double?
        var finished: Double?
        var pid: Int32?
        var timeout: Double?
        var retries = 0
        var retryDelay = 0.0
        var attempts = 0
        var cwd: String?
        var env: [String] = []
        var slurm = SlurmOptions()
        var slurmJobID: Int64?
        var node: String?
        var slurmState: String?
        var slurmReason: String?
        var usage: ResourceUsage?
        var environmentID: Int64?
        var environment: [String]?
        var resources = ResourceRequest()
        var allocation: Allocation?
        var owner: String?
        var notify: String?
        var delivery: DeliveryState?
    }

    /// Unchecked: a box is changed only while one job alone holds it (`fields`'s `_modify`).
    private final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    /// Every field at its default: what most queued jobs have.
    private static let defaults = Box(Fields())

    private var box = JobDetails.defaults

    var fields: Fields {
        get { box.fields }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            yield &box.fields
        }
        set {
            if isKnownUniquelyReferenced(&box) { box.fields = newValue } else { box = Box(newValue) }
        }
    }

    static func == (lhs: JobDetails, rhs: JobDetails) -> Bool { lhs.box === rhs.box || lhs.box.fields == rhs.box.fields }
}
