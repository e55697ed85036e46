import Logging
import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// The server: owns the event loop and every piece of state, and wires the
/// HTTP commands, the scheduler, the job processes and the store together.
///
/// Everything runs on the thread that calls `run()`.
public final class JobSchedServer {
    package let configuration: ServerConfiguration
    package let logger: Logger
    package let loop: EventLoop
    package let store: JobStore
    package let http: HTTPServer
    package let groupKiller: ProcessGroupKiller
    package let spool: Spool
    package let metrics = ServerMetrics()
    package var scheduler: Scheduler
    package var dependencies = DependencyGraph()
    package let access: AccessPolicy
    /// Submits recorded but not yet committed, so not yet in the queue.
    package var uncommittedSubmits = 0

    /// Queued and running jobs; a finished job lives only in the store.
    package var activeJobs: [JobID: ActiveJob] = [:]
    package var activeIndex = ActiveIndex()
    /// Finished jobs in the store, kept up to date for --keep-finished.
    package var finishedCount = 0
    package var jobByPID: [Int32: JobID] = [:]
    /// Jobs ending now, in order; see `finish`.
    package var endings: [Ending] = []
    package let pipeBuffer = OutputPump.Buffer()
    package let descriptorLimit: DescriptorLimit
    /// The database file's absolute path, which marks its jobs' processes.
    package let databaseFile: String
    /// Where relative `outlog`/`errlog` paths lead: the server never changes directory.
    package let workingDirectory: String
    package let waiters = WaiterRegistry()
    package let checkpointer: WALCheckpointer?

    /// Work to do once the open transaction has committed (sending job ids).
    private var afterCommit: [(Result<Void, SQLiteError>) -> Void] = []
    /// Job states written but not yet committed: written again after a failed
    /// commit (disk full, read-only file), so the store catches up once it can.
    package var unconfirmed: [JobID: Job] = [:]
    private var saveRetry: Event?
    private var commitEvent: Event!
    private var signalEvents: [Event] = []
    package var isShuttingDown = false
    private var isExiting = false

    /// Opens the database and binds the port; throws with a one-line reason if either fails.
    public init(configuration: ServerConfiguration, logger: Logger) throws(ServerError) {
        guard configuration.maxRunning >= 1 else { throw ServerError("-j must be at least 1") }
        self.configuration = configuration
        self.logger = logger
        ServerProcess.prepare()
        // Each connection is a descriptor: take all the system allows (not for jobs).
        descriptorLimit = DescriptorLimit.raise()

        loop = try EventLoop()
        http = try HTTPServer(loop: loop, address: configuration.address, port: configuration.port,
                              tcp: configuration.tcp, socketPath: configuration.socketPath,
                              maxConnections: configuration.maxConnections)
        let tcpHosts = http.tcpAddress.map { [configuration.address.lowercased(), $0.host.lowercased()] } ?? []
        access = AccessPolicy(token: configuration.token, boundHosts: Set(tcpHosts))
        if let tcp = http.tcpAddress, configuration.token == nil, !AccessPolicy.isLoopbackLiteral(tcp.host) {
            guard configuration.insecureNoAuth else {
                throw ServerError("refusing to listen on \(tcp.hostAndPort) without a token: anyone who can reach it could run any command as this user; "
                                  + "set --token-file or JOBSCHED_TOKEN (or --insecure-no-auth)")
            }
            logger.critical("WARNING: --insecure-no-auth: listening on \(tcp.hostAndPort) WITHOUT A TOKEN; anyone who can reach it can run any command as this user")
        }
        store = try JobStore(path: configuration.databasePath, clear: configuration.clear)
        // Absolute, so a server started from another directory finds the same jobs' processes.
        databaseFile = ServerProcess.realPath(configuration.databasePath) ?? configuration.databasePath
        workingDirectory = ServerProcess.currentDirectory() ?? "."
        spool = try Spool(directory: configuration.effectiveSpoolDirectory, maxBytes: configuration.maxLogBytes)
        if let command = configuration.checkpointCommand {
            checkpointer = WALCheckpointer(command: command, databasePath: databaseFile, store: store, logger: logger)
        } else {
            checkpointer = nil
        }
        groupKiller = ProcessGroupKiller(loop: loop, grace: configuration.killGrace)
        scheduler = Scheduler(limit: configuration.maxRunning)

        commitEvent = loop.deferredEvent { [unowned self] in self.commitPendingWrites() }
        store.onFirstWrite = { [unowned self] in self.commitEvent.add(timeout: JobSchedServer.stateCommitDelay) }
        http.handler = { [unowned self] request in self.handle(request) }
        waiters.onComplete = { [unowned self] waiter in self.answer(waiter) }
        groupKiller.onIdle = { [unowned self] in self.finishShutdownIfDone() }
        checkpointer?.onIdle = { [unowned self] in self.finishShutdownIfDone() }
        signalEvents = [
            loop.onSignal(.child) { [unowned self] in self.reapChildren() },
            loop.onSignal(.interrupt) { [unowned self] in self.beginShutdown(reason: "SIGINT") },
            loop.onSignal(.terminate) { [unowned self] in self.beginShutdown(reason: "SIGTERM") },
            // The terminal of `jobsched &` closing: by default it would end the
            // server at once and leave its jobs running unsupervised.
            loop.onSignal(.hangup) { [unowned self] in self.beginShutdown(reason: "SIGHUP") },
        ]
        do {
            try recoverPreviousRun()
            try store.commit()
        } catch {
            throw ServerError("cannot update database '\(configuration.databasePath)': \(error.message)")
        }
    }

    /// Restores group settings, and settles the jobs a previous run left queued
    /// or running: killed, or with --resume queued again.
    private func recoverPreviousRun() throws(SQLiteError) {
        // Counting is O(history), so only done when --keep-finished needs it.
        defer { if configuration.keepFinished != nil { finishedCount = (try? store.countFinished()) ?? 0 } }
        for (name, settings) in try store.groupSettings() {
            scheduler.setLimit(settings.limit, for: name)
            scheduler.setPaused(settings.paused, group: name)
        }
        let now = Clock.now()
        killOrphans()
        guard configuration.resume else {
            let interrupted = try store.killInterrupted([.queued, .running], msg: "server restarted", at: now)
            if interrupted > 0 { logger.info("marked \(interrupted) jobs of the previous run as killed") }
            return
        }
        for var job in try store.jobs(matching: JobFilter(statuses: [.running])) {
            if job.attempts <= job.retries {
                job.status = .queued
                job.pid = nil
                job.msg = "requeued after server restart"
            } else {
                job.status = .killed
                job.msg = "server restarted"
                job.finished = now
            }
            try store.update(job)
        }
        var queued: [Job] = []
        for var job in try store.jobs(matching: JobFilter(statuses: [.queued])) {
            guard job.sync else {
                queued.append(job)
                continue
            }
            // A sync job's client is gone with the previous run.
            job.status = .killed
            job.msg = "server restarted"
            job.finished = now
            try store.update(job)
        }
        // In id order, so a job's dependencies are back before it; none
        // starts before all are back, so they start by priority, not by id.
        queued.forEach { enqueue($0, syncClient: nil) }
        startAdmittedJobs()
        if !queued.isEmpty { logger.info("resumed \(queued.count) queued jobs of the previous run") }
    }

    /// `http://ADDR:PORT` of the bound socket (the real port when 0 was asked for),
    /// or `unix:PATH` when there is no TCP socket.
    public var url: String {
        if let tcp = http.tcpAddress { return "http://\(tcp.hostAndPort)" }
        return "unix:\(http.socketPath ?? "")"
    }

    /// Serves until shutdown has finished.
    public func run() {
        logger.info("listening on \(url), database \(configuration.databasePath), at most \(configuration.maxRunning) jobs at once")
        if let path = http.socketPath { logger.info("listening on Unix socket \(path)") }
        loop.run()
        http.removeSocketFile()
        logger.info("server stopped")
    }

    /// A crash of the server leaves its running jobs' processes behind: their
    /// process groups are killed, found by the mark in their environment.
    private func killOrphans() {
        for (group, jobID) in OrphanedJobs.processGroups(database: databaseFile) {
            Signal.kill.send(toGroup: group)
            logger.notice("killed process group \(group) left by the previous run (job \(jobID.map(String.init) ?? "?"))")
        }
    }

    // MARK: Batched commits

    /// How long job state changes (started, finished) may wait for their
    /// commit when no reply waits on it. Sharing one commit among the jobs of
    /// these milliseconds takes it off each job's path; a crash of the server
    /// within them can only leave a job's last state unwritten (a restart marks
    /// such jobs killed), never lose a submit, whose reply always waits.
    package static let stateCommitDelay = 0.02

    /// Runs `work` once the current transaction has committed (at the end of
    /// this loop iteration), or at once if nothing is pending.
    package func whenCommitted(_ work: @escaping (Result<Void, SQLiteError>) -> Void) {
        afterNextCommit(work)
        commitEvent.activate()
    }

    /// Runs `work` once the open transaction has committed, without hastening
    /// the commit: job state changes wait up to `stateCommitDelay` for theirs.
    package func afterNextCommit(_ work: @escaping (Result<Void, SQLiteError>) -> Void) {
        afterCommit.append(work)
    }

    /// Runs `reply` once the changes a request made are committed; if the
    /// commit fails they are rolled back, `undo` puts what the request changed
    /// in memory back, and the request gets a 503 instead.
    package func replyWhenCommitted(_ request: HTTPRequest, format: OutputFormat, undo: @escaping () -> Void = {},
                            _ reply: @escaping () -> Void) {
        whenCommitted { [unowned self] result in
            switch result {
            case .success: reply()
            case .failure(let error):
                undo()
                self.respond(request, error: JobSchedServer.databaseError(error), format: format)
            }
        }
    }

    private func commitPendingWrites() {
        let result: Result<Void, SQLiteError>
        do {
            try store.commit()
            result = .success(())
            checkpointer?.committed()
            // With a retry pending, states lost in an earlier rollback are still to be written.
            if saveRetry == nil { unconfirmed.removeAll(keepingCapacity: true) }
        } catch {
            logger.error("database commit failed: \(error)")
            result = .failure(error)
            scheduleSaveRetry()
        }
        let work = afterCommit
        afterCommit = []
        work.forEach { $0(result) }
    }

    /// Writes the unconfirmed job states again in a second, and again after that until a commit succeeds.
    package func scheduleSaveRetry() {
        guard saveRetry == nil else { return }
        saveRetry = loop.timer(after: 1) { [unowned self] in
            self.saveRetry = nil
            for job in self.unconfirmed.values.sorted(by: { $0.id < $1.id }) {
                do {
                    try self.store.update(job)
                } catch {
                    self.scheduleSaveRetry()
                    return
                }
            }
        }
    }

    // MARK: Shutdown

    /// `/shutdown`, SIGINT, SIGTERM and SIGHUP: refuse new work, kill every job, reply to every client, exit.
    package func beginShutdown(reason: String) {
        guard !isShuttingDown else {
            logger.notice("\(reason) again: killing remaining job processes now")
            groupKiller.killAllNow()
            return
        }
        isShuttingDown = true
        logger.notice("shutting down (\(reason))")
        http.stopAccepting()
        checkpointer?.stop()
        for (id, active) in activeJobs.sorted(by: { $0.key < $1.key })
        where active.job.status == .running || !keepsQueuedJobsAtShutdown(active.job) {
            killJob(id, reason: "server shutdown")
        }
        finishShutdownIfDone()
    }

    /// Exits once no job runs, no process group awaits its SIGKILL and no checkpoint runs.
    package func finishShutdownIfDone() {
        guard isShuttingDown, !isExiting, scheduler.running.isEmpty, groupKiller.isIdle,
              checkpointer?.isIdle ?? true else { return }
        isExiting = true
        // Waits on jobs left queued for the next start (--resume) end here.
        waiters.removeAll().forEach(answer)
        commitPendingWrites()
        signalEvents = []
        // Leave a moment for the last replies to be written.
        loop.exit(after: 0.2)
    }
}
