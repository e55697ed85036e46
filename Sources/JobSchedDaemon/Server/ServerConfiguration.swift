import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// Everything the command line decides.
public struct ServerConfiguration: Sendable {
    public var address = "127.0.0.1"
    public var port: UInt16 = 4321
    public var databasePath = "jobs.sqlite"
    /// Most jobs running at once.
    public var maxRunning = 4
    /// Seconds between SIGTERM and SIGKILL when jobsched ends a job's processes.
    public var killGrace = 3.0
    /// Start with an empty job table.
    public var clear = false
    /// Keep queued jobs across a restart: run the ones a previous run left, and leave queued ones at shutdown.
    public var resume = false

    /// Where job output that goes to no file is kept; nil: DBFILE.spool beside the database.
    public var spoolDirectory: String?
    /// Each spool file keeps about this many of its last bytes.
    public var maxLogBytes = 10 << 20
    /// Keep at most this many finished jobs (and their spool files); nil: all.
    public var keepFinished: Int?
    /// Listen on TCP `address:port` (false: only on `socketPath`).
    public var tcp = true
    /// A Unix domain socket to listen on too.
    public var socketPath: String?
    /// The tokens a request must carry one of (--token-file, JOBSCHED_TOKEN), with their names and roles; none: no token.
    package var tokens: [NamedToken] = []
    /// Listen on a non-loopback address without a token.
    public var insecureNoAuth = false
    /// Most client connections open at once; more wait in the listen backlog.
    public var maxConnections = 4096
    /// Most jobs waiting in the queue; a submit beyond it gets 503. nil: no bound.
    public var maxQueued: Int?
    /// Events kept for `/events` clients that reconnect with `Last-Event-ID`.
    public var eventHistory = 10_000

    /// The argv (without the database path, which is added) of a helper that
    /// checkpoints the write-ahead log, so the loop never waits for fsync:
    /// `jobsched wal-checkpoint`. nil: SQLite checkpoints inside commits.
    public var checkpointCommand: [String]?

    /// What jobs are handed here (--cpus, --mem, --gpus): what is not given is not counted.
    package var resources = ResourceCapacity()
    /// TLS on the TCP port: a certificate and key given, or one the server makes (`DBFILE.tls/`).
    package var tls: TLS?

    package enum TLS: Equatable {
        case files(certificate: String, key: String)
        case selfSigned
    }

    /// --on-finish: the bash line run for every job that ends, how many at once, and for how long at most.
    package var onFinish: OnFinish?

    package struct OnFinish: Equatable {
        package var command: String
        package var limit = 4
        package var timeout = 60.0

        package init(command: String, limit: Int = 4, timeout: Double = 60) {
            (self.command, self.limit, self.timeout) = (command, limit, timeout)
        }
    }

    /// Webhooks (`notify=`): the signing secret, how long to retry, how many at once, where to.
    package var webhooks = Webhooks()

    package struct Webhooks: Equatable {
        /// `--webhook-secret-file`'s content: each delivery's HMAC-SHA256 key; nil: deliveries are not signed.
        package var secret: [UInt8]?
        package var retryFor = 86_400.0
        package var limit = 16
        /// `--webhook-allow`: the only hosts deliveries may go to (lowercased); empty: any.
        package var allowedHosts: Set<String> = []

        package init() {}
    }

    /// How a local job's `mem=` is held: by the kernel (a memory cgroup per job) or by sampling.
    package var memoryEnforcement = MemoryEnforcement.auto

    /// Where jobs run: here, or on a Slurm cluster.
    public var executor = ExecutorKind.local
    /// --executor slurm: the partition of jobs that name none, and the account of all.
    public var slurmPartition: String?
    public var slurmAccount: String?
    /// Seconds between two `squeue` calls while jobs are on the cluster.
    public var slurmPollInterval = 1.0
    /// Where async Slurm jobs write their output (the nodes must reach it); nil: SPOOL/slurm.
    public var slurmOutputDirectory: String?

    public enum ExecutorKind: String, Sendable, CaseIterable {
        case local, slurm

        /// -j when none is given: a cluster takes many more jobs than this machine runs.
        public var defaultMaxRunning: Int { self == .local ? 4 : 100 }
    }

    public init() {}

    package var effectiveSpoolDirectory: String { spoolDirectory ?? databasePath + ".spool" }
    package var effectiveSlurmOutputDirectory: String { slurmOutputDirectory ?? effectiveSpoolDirectory + "/slurm" }
}
