import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem
import Logging

/// The server: builds the event loop, the HTTP server, the store and the job
/// runner, wires them together, and shuts them down in order. The handlers
/// (Handlers/) answer requests; the runner owns the jobs.
///
/// Everything runs on the thread that calls `run()`.
public final class JobSchedServer {
    private let configuration: ServerConfiguration
    private let logger: Logger
    private let loop: EventLoop
    private let http: HTTPServer
    private let store: JobStore
    private let commits: GroupCommit
    private let runner: JobRunner
    /// Job processes on this machine: every job's with --executor local, sync jobs' srun with slurm.
    private let processes: LocalExecutor
    /// Where job processes start from (see Spawner); nil if it could not be started.
    private let spawner: Spawner?
    /// Slurm's command-line tools, run as children.
    private let commands: CommandRunner
    /// --on-finish: a bash line for every job that ends.
    private let hooks: FinishHooks?
    /// notify=: the outbox's deliveries, sent.
    private let webhooks: Webhooks
    private let checkpointer: WALCheckpointer?
    private let freedMemory: FreedMemory
    /// Long work (a big `/clean` or batch, `/events` replays, the shutdown's
    /// marking of queued jobs) a step at a time, in turns of `turnSeconds`.
    private let turns: Turns
    static let turnSeconds = 0.002
    private let handlers: RequestHandlers
    private var signalEvents: [Event] = []
    private var isExiting = false
    /// The shutdown is marking the queued jobs killed in the store (`markQueuedKilled`).
    private var isMarkingQueued = false
    private var exitTimer: Event?

    /// Opens the database and binds the port; throws with a one-line reason if either fails.
    public init(configuration: ServerConfiguration, logger: Logger) throws(ServerError) {
        guard configuration.maxRunning >= 1 else { throw ServerError("-j must be at least 1") }
        self.configuration = configuration
        self.logger = logger
        ServerProcess.prepare()
        // First, while the server is small, and before it raises its limit, which jobs must not get.
        spawner = Spawner.start(logger: logger)
        // Each connection is a descriptor: take all the system allows (not for jobs).
        let descriptorLimit = DescriptorLimit.raise()

        loop = try EventLoop()
        http = try HTTPServer(loop: loop, address: configuration.address, port: configuration.port,
                              tcp: configuration.tcp, tls: try Self.tlsContext(configuration, logger),
                              socketPath: configuration.socketPath, maxConnections: configuration.maxConnections)
        let tcpHosts = http.tcpAddress.map { [configuration.address.lowercased(), $0.host.lowercased()] } ?? []
        let access = AccessPolicy(tokens: configuration.tokens, boundHosts: Set(tcpHosts), scheme: http.isTLS ? "https" : "http")
        if let tcp = http.tcpAddress, configuration.tokens.isEmpty, !AccessPolicy.isLoopbackLiteral(tcp.host) {
            guard configuration.insecureNoAuth else {
                throw ServerError("refusing to listen on \(tcp.hostAndPort) without a token: anyone who can reach it could run any command as this user; "
                                  + "set --token-file or JOBSCHED_TOKEN (or --insecure-no-auth)")
            }
            logger.critical("WARNING: --insecure-no-auth: listening on \(tcp.hostAndPort) WITHOUT A TOKEN; anyone who can reach it can run any command as this user")
        }
        store = try JobStore(path: configuration.databasePath, clear: configuration.clear)
        ServerProcess.explainBusErrors(databasePath: configuration.databasePath)
        // Absolute, so a server started from another directory finds the same jobs' processes.
        let databaseFile = realPath(configuration.databasePath) ?? configuration.databasePath
        let workingDirectory = currentDirectory() ?? "."
        let spool = try Spool(directory: configuration.effectiveSpoolDirectory, maxBytes: configuration.maxLogBytes,
                              database: store.identity, databaseStartsEmpty: store.startedEmpty, logger: logger)
        if let command = configuration.checkpointCommand {
            checkpointer = WALCheckpointer(command: command, databasePath: databaseFile, store: store, logger: logger)
        } else {
            checkpointer = nil
        }
        commits = GroupCommit(store: store, loop: loop, logger: logger)
        turns = Turns(loop: loop, turnSeconds: JobSchedServer.turnSeconds)
        processes = LocalExecutor(loop: loop, turns: turns, killGrace: configuration.killGrace, databaseFile: databaseFile,
                                  descriptorLimit: descriptorLimit, spawner: spawner,
                                  memoryCgroups: configuration.executor == .local ? try Self.memoryCgroups(configuration, spawner, logger) : nil)
        commands = CommandRunner(loop: loop)
        let executor: any Executor
        switch configuration.executor {
        case .local:
            executor = processes
        case .slurm:
            let outputDirectory = configuration.effectiveSlurmOutputDirectory
            try makeDirectory(outputDirectory, label: "Slurm output directory")
            executor = SlurmExecutor(
                loop: loop,
                settings: .init(commands: SlurmCommands(database: databaseFile, defaultPartition: configuration.slurmPartition,
                                                        account: configuration.slurmAccount),
                                outputDirectory: realPath(outputDirectory) ?? outputDirectory,
                                pollInterval: configuration.slurmPollInterval, killGrace: configuration.killGrace,
                                databaseFile: databaseFile, serverDirectory: workingDirectory),
                commands: commands, processes: processes, logger: logger)
        }
        runner = JobRunner(settings: .init(maxRunning: configuration.maxRunning, resume: configuration.resume,
                                           keepFinished: configuration.keepFinished,
                                           resources: configuration.executor == .local ? configuration.resources : nil),
                           loop: loop, turns: turns, records: commits, executor: executor, spool: spool, logger: logger)

        let webhookRules = Self.webhookRules(configuration, http)
        handlers = RequestHandlers(configuration: configuration, logger: logger, loop: loop, turns: turns, access: access,
                                   webhookRules: webhookRules, store: store, commits: commits, spool: spool, runner: runner,
                                   workingDirectory: workingDirectory)
        webhooks = try Webhooks(settings: configuration.webhooks, rules: webhookRules, loop: loop, store: store, runner: runner,
                                metrics: handlers.metrics, logger: logger)
        freedMemory = FreedMemory(loop: loop)
        let (loop, commands, store) = (loop, commands, store)
        hooks = configuration.onFinish.map {
            FinishHooks(settings: $0, loop: loop, commands: commands, store: store, spool: spool, killGrace: configuration.killGrace, logger: logger)
        }
        hooks?.onIdle = { [unowned self] in self.finishShutdownIfDone() }
        commits.onCommitted = { [unowned self] in
            self.checkpointer?.committed()
            self.webhooks.committed()
        }
        http.handler = { [unowned self] request in self.handlers.handle(request) }
        handlers.onShutdownRequested = { [unowned self] reason in self.beginShutdown(reason: reason) }
        runner.onEvent = { [unowned self] event in
            self.handlers.observe(event)
            if case .finished(let job) = event {
                self.hooks?.jobEnded(job.id)
                self.webhooks.jobEnded(job)
            }
        }
        runner.onSettled = { [unowned self] in self.finishShutdownIfDone() }
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
            try recoverPreviousRun(databaseFile: databaseFile)
            try store.commit()
        } catch {
            throw ServerError("cannot update database '\(configuration.databasePath)': \(error.message)")
        }
    }

    /// Where notify= may point: the --webhook-allow list, and never this server's own port.
    private static func webhookRules(_ configuration: ServerConfiguration, _ http: HTTPServer) -> WebhookRules {
        var rules = WebhookRules(allowedHosts: configuration.webhooks.allowedHosts)
        if let tcp = http.tcpAddress, let port = tcp.hostAndPort.split(separator: ":").last.flatMap({ Int($0) }),
           let bound = IPAddress(literal: tcp.host) {
            rules.ownPort = port
            rules.ownIsWildcard = bound.isUnspecified
            rules.ownAddresses = Set(bound.isUnspecified ? IPAddress.ofThisHost().map(\.unmapped) : [bound.unmapped])
        }
        return rules
    }

    /// The TCP port's TLS (--tls-cert and --tls-key, or --tls-self-signed), its fingerprint logged.
    private static func tlsContext(_ configuration: ServerConfiguration, _ logger: Logger) throws(ServerError) -> TLSServerContext? {
        guard configuration.tcp, let tls = configuration.tls else { return nil }
        let certificate, key: String
        switch tls {
        case .files(let given, let givenKey):
            (certificate, key) = (given, givenKey)
        case .selfSigned:
            let names = [configuration.address, "127.0.0.1", "::1", "localhost"] + (TLSServerContext.hostName.map { [$0] } ?? [])
            let made = try TLSServerContext.selfSigned(in: configuration.databasePath + ".tls", names: names)
            (certificate, key) = (made.certificate, made.key)
            logger.info(made.made ? "TLS: made a self-signed certificate for \(TLSFingerprint.subjectAltNames(names)) in \(certificate)"
                                  : "TLS: the self-signed certificate \(certificate), made by an earlier start")
        }
        let context = try TLSServerContext(certificate: certificate, key: key)
        logger.info("TLS certificate \(certificate): SHA-256 fingerprint \(context.fingerprint)")
        return context
    }

    /// Where jobs with `mem=` get a memory cgroup each (--mem-enforcement);
    /// nil: they are sampled. The log says which, and why.
    private static func memoryCgroups(_ configuration: ServerConfiguration, _ spawner: Spawner?,
                                      _ logger: Logger) throws(ServerError) -> MemoryCgroups? {
        let sampling = "mem= is held by sampling each job's processes every \(Timestamp.seconds(MemoryLimits.samplingInterval)) s"
        guard configuration.memoryEnforcement != .sampling else {
            logger.info("\(sampling) (--mem-enforcement sampling)")
            return nil
        }
        switch MemoryCgroups.open(ownProcesses: spawner.map { [$0.pid] } ?? []) {
        case .success(let cgroups):
            logger.info("mem= is held by the kernel: each job with mem= runs in a memory cgroup of its own, in \(cgroups.directory) (\(cgroups.version.rawValue))")
            return cgroups
        case .failure(let unavailable):
            guard configuration.memoryEnforcement == .auto else {
                throw ServerError("--mem-enforcement cgroup: no memory cgroup can be made here: \(unavailable.reason)")
            }
            logger.info("\(sampling): no memory cgroup can be made here (\(unavailable.reason))")
            return nil
        }
    }

    /// Restores group settings, and settles the jobs a previous run left queued
    /// or running: killed, or with --resume queued again.
    private func recoverPreviousRun(databaseFile: String) throws(SQLiteError) {
        // Counting is O(history), so only done when --keep-finished needs it.
        defer { runner.countFinished { () throws(SQLiteError) in try store.countFinished() } }
        runner.replaceGroupSettings(with: try store.groupSettings())
        let now = Clock.now()
        killOrphans(databaseFile: databaseFile)
        // A cluster's jobs run on without the server: they are taken back, with or without --resume.
        let adopted = Set(try store.jobs(matching: JobFilter(statuses: [.running])).filter(runner.adopt).map(\.id))
        if !adopted.isEmpty { logger.info("\(adopted.count) jobs of the previous run still on the cluster") }
        guard configuration.resume else {
            let interrupted = try store.killInterrupted([.queued, .running], except: adopted.sorted(), msg: "server restarted", at: now)
            if interrupted > 0 { logger.info("marked \(interrupted) jobs of the previous run as killed") }
            return
        }
        var queued: [Job] = []
        for job in try store.jobs(matching: JobFilter(statuses: [.queued, .running])) where !adopted.contains(job.id) {
            let recovered = JobLifecycle.recovered(job, resume: true, now: now)
            if let recovered { try store.update(recovered) }
            if (recovered ?? job).status == .queued { queued.append(recovered ?? job) }
        }
        // In id order, so a job's dependencies are back before it; none
        // starts before all are back, so they start by priority, not by id.
        queued.forEach { runner.enqueue($0, syncClient: nil) }
        runner.startAdmittedJobs()
        if !queued.isEmpty { logger.info("resumed \(queued.count) queued jobs of the previous run") }
    }

    /// `http://ADDR:PORT` of the bound socket (the real port when 0 was asked for),
    /// or `unix:PATH` when there is no TCP socket.
    public var url: String {
        if let tcp = http.tcpAddress { return (http.isTLS ? "https://" : "http://") + tcp.hostAndPort }
        return "unix:\(http.socketPath ?? "")"
    }

    /// Serves until shutdown has finished.
    public func run() {
        logger.info("listening on \(url), database \(configuration.databasePath), at most \(configuration.maxRunning) jobs at once")
        if let path = http.socketPath { logger.info("listening on Unix socket \(path)") }
        LogOutput.standardError.writeOncePerIteration(on: loop)
        // What an earlier run left in the outbox goes out now.
        webhooks.sendDue()
        loop.run()
        spawner?.end()
        processes.removeMemoryCgroups()
        LogOutput.standardError.detach()
        http.removeSocketFile()
        logger.info("server stopped")
    }

    /// A crash of the server leaves its running jobs' processes behind: their
    /// process groups are killed, found by the mark in their environment.
    private func killOrphans(databaseFile: String) {
        for (group, jobID) in OrphanedJobs.processGroups(database: databaseFile) {
            Signal.kill.send(toGroup: group)
            logger.notice("killed process group \(group) left by the previous run (job \(jobID.map(String.init) ?? "?"))")
        }
    }

    /// SIGCHLD: each exited child is a job's process or the checkpoint helper.
    private func reapChildren() {
        for (pid, termination, usage) in reapExitedChildren() {
            if checkpointer?.reaped(pid, termination) == true || commands.reaped(pid, termination)
                || spawner?.reaped(pid) == true { continue }
            _ = processes.reaped(pid, termination, usage: usage)
        }
        processes.forgetEmptyGroups()
        hooks?.forgetEmptyGroups()
    }

    // MARK: Shutdown

    /// `/shutdown`, SIGINT, SIGTERM and SIGHUP: refuse new work, kill every job, reply to every client, exit.
    private func beginShutdown(reason: String) {
        guard !runner.isShuttingDown else {
            logger.notice("\(reason) again: killing remaining job processes now")
            runner.shutDown()
            hooks?.killNow()
            return
        }
        logger.notice("shutting down (\(reason))")
        // The jobs a shutdown ends get no hook; the running hooks end with the server.
        hooks?.stop()
        webhooks.stop()
        handlers.events.publish(.shutdown)
        http.stopAccepting()
        checkpointer?.stop()
        // Before the queued jobs end: a batch half written is taken back first.
        handlers.endBatchesInFlight()
        runner.shutDown()
        if !configuration.resume { markQueuedKilled() }
        finishShutdownIfDone()
    }

    /// Exits once no job runs, no process group awaits its SIGKILL and no checkpoint runs.
    private func finishShutdownIfDone() {
        guard runner.isShuttingDown, !isExiting, !isMarkingQueued, runner.isIdle, checkpointer?.isIdle ?? true,
              hooks?.isIdle ?? true else { return }
        isExiting = true
        // Waits on jobs left queued for the next start (--resume) end here.
        handlers.waiters.removeAll().forEach(handlers.answer)
        handlers.events.endAll()
        commits.commit()
        signalEvents = []
        exitOnceRepliesAreOut(giveUpAt: Clock.now() + JobSchedServer.exitDrainSeconds)
    }

    /// Queued jobs a page of the shutdown marks killed: about 2 ms of the loop.
    static let shutdownPageRows = 512

    /// Marks the queued jobs the shutdown ended killed in the store, a page at
    /// a time in the server's turns (one UPDATE of a million rows held every
    /// client for 3.5 s); the server exits once the last page is done. If the
    /// database refuses a page, the rest stay queued there until the next
    /// start, which marks them killed (`server restarted`).
    private func markQueuedKilled() {
        isMarkingQueued = true
        let now = Clock.now()
        var after: JobID = 0
        var marked = 0
        turns.add { [unowned self] in
            do throws(SQLiteError) {
                let page = try store.killQueued(after: after, limit: JobSchedServer.shutdownPageRows,
                                                msg: JobRunner.shutdownReason, at: now)
                marked += page.count
                if let last = page.readThrough {
                    after = last
                    return true
                }
            } catch {
                logger.error("marking the queued jobs killed: \(error.message); the next start will")
            }
            if marked > 0 { logger.info("\(marked) queued jobs killed: \(JobRunner.shutdownReason)") }
            isMarkingQueued = false
            finishShutdownIfDone()
            return false
        }
    }

    /// How long the last replies (a batch's ids, a waiter's answer) may take to reach clients that read them.
    static let exitDrainSeconds = 5.0

    /// Exits once the last replies are written (the loop writes what it can
    /// of them before it looks again), but never later than `giveUpAt`: a
    /// client that does not read does not keep the server from exiting.
    private func exitOnceRepliesAreOut(giveUpAt: Double) {
        exitTimer = loop.timer(after: 0.01) { [unowned self] in
            if http.unsentBytes > 0 && Clock.now() < giveUpAt { return exitOnceRepliesAreOut(giveUpAt: giveUpAt) }
            loop.exit(after: 0)
        }
    }
}
