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

    public init() {}

    var effectiveSpoolDirectory: String { spoolDirectory ?? databasePath + ".spool" }
}
