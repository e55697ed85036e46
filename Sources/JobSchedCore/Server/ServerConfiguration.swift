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

    public init() {}
}
