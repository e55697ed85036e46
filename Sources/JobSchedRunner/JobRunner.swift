import JobSchedModel
import JobSchedSystem
import Logging

/// Owns every queued and running job and moves each from queued to running
/// to finished: dependencies and start times hold a queued job, the scheduler
/// gives it a slot, the executor runs it, and its end is recorded, retried or
/// passed on to the jobs that wait for it. The one owner of that state:
/// handlers ask the runner, they never change it themselves.
package final class JobRunner {
    /// Output a sync client has not read yet, past which the job's output is no longer read.
    package static let maxUnsentOutput = 1 << 20

    /// What the runner is told to do with queued jobs at shutdown and how much history to keep.
    package struct Settings {
        package var maxRunning: Int
        /// --resume: a shutdown leaves async queued jobs queued for the next start.
        package var resume = false
        /// --keep-finished: trims the oldest finished jobs past this many.
        package var keepFinished: Int?
        /// --cpus, --mem, --gpus: what jobs are handed here; nil where they
        /// run elsewhere (a cluster's executor takes their requests itself).
        package var resources: ResourceCapacity?

        package init(maxRunning: Int, resume: Bool = false, keepFinished: Int? = nil, resources: ResourceCapacity? = nil) {
            (self.maxRunning, self.resume, self.keepFinished, self.resources) = (maxRunning, resume, keepFinished, resources)
        }
    }

    /// A job's end, waiting in `endings` to be recorded.
    private struct Ending {
        let id: JobID
        let status: JobStatus
        let returncode: Int32?
        let msg: String
        var usage: ResourceUsage? = nil
    }

    package enum KillOutcome: Equatable {
        case killed, unknown, alreadyFinished(JobStatus)
    }

    private let settings: Settings
    private let loop: EventLoop
    /// Where long work is done a step at a time (the removed jobs' spool files).
    private let turns: Turns
    private let records: any JobRecords
    private let executor: any Executor
    private let spool: Spool
    private let logger: Logger

    /// Queued and running jobs; a finished job lives only in the store.
    package private(set) var activeJobs = JobIDMap<ActiveJob>()
    package private(set) var activeIndex = ActiveIndex()
    package private(set) var scheduler: Scheduler
    private var dependencies = DependencyGraph()
    /// Finished jobs in the store, counted at start and kept up to date.
    package private(set) var finished = FinishedCounts()
    /// Jobs ending now, in order; see `finish`.
    private var endings: [Ending] = []
    /// `startAdmittedJobsAfterReplies`: a zero timer, run after the next poll's I/O.
    private lazy var startAfterReplies = loop.deferredEvent { [unowned self] in self.startAdmittedJobs() }
    package private(set) var isShuttingDown = false
    /// The queued jobs a shutdown ended (`endQueuedJobs`).
    private var endedAtShutdown = JobIDMap<ActiveJob>()
    /// The active sync jobs and those that have had a follower: a shutdown
    /// ends the queued ones' readers without looking at every job.
    private var withReaders = JobIDSet()
    /// Changes to what jobs start with (a queued job's definition, a group's
    /// settings) made in memory and not yet confirmed by their commit: while
    /// any is pending no job starts, so that a change the commit refuses has
    /// run nothing (`holdStarts`).
    private var unconfirmedChanges = 0
    /// Whether a big excess of finished jobs is being trimmed in turns (`trimHistory`).
    private var isTrimmingInTurns = false

    /// Told every change: a job submitted, started, placed, retried, finished or removed, a group's settings.
    package var onEvent: (ServerEvent) -> Void = { _ in }
    /// Called after a round of endings, and when the executor becomes idle: shutdown may be done.
    package var onSettled: () -> Void = {}

    package init(settings: Settings, loop: EventLoop, turns: Turns, records: any JobRecords, executor: any Executor,
                 spool: Spool, logger: Logger) {
        self.settings = settings
        self.loop = loop
        self.turns = turns
        self.records = records
        self.executor = executor
        self.spool = spool
        self.logger = logger
        scheduler = Scheduler(limit: settings.maxRunning, resources: settings.resources)
        executor.onEnded = { [unowned self] id, end in self.runEnded(id, end) }
        executor.onPlaced = { [unowned self] id, placement in self.placed(id, placement) }
        executor.onIdle = { [unowned self] in self.onSettled() }
    }

    /// Jobs waiting for their turn, a dependency or a start time.
    package var queuedCount: Int { activeJobs.count - scheduler.running.count }

    /// What a queued job next in line waits for, when that is what it asks of
    /// the resources ("waiting for 1 gpu: 0 free"); nil for any other job.
    package func resourceShortfall(of id: JobID) -> String? {
        guard scheduler.isReady(id), let job = activeJobs[id]?.job, job.status == .queued else { return nil }
        return scheduler.pool?.shortfall(of: job.resources)
    }

    /// No job runs and no stopped job awaits its end.
    package var isIdle: Bool { scheduler.running.isEmpty && executor.isIdle }

    // MARK: Queueing

    /// Adds a committed (or, with --resume, reloaded) queued job; the caller
    /// then starts admitted jobs, once for all the jobs it adds, so that they
    /// start by priority rather than in the order they were added.
    package func enqueue(_ job: Job, syncClient: (any OutputClient)?) {
        let active = ActiveJob(job: job, syncClient: syncClient)
        activeJobs[job.id] = active
        if job.sync || syncClient != nil { withReaders.insert(job.id) }
        activeIndex.insert(job)
        logger.info("job \(job.id) queued (name \(Excerpt.plain(job.name, limit: 80)), group \(Excerpt.plain(job.group, limit: 80))): \(Excerpt.plain(job.command))")
        onEvent(.submitted(job))
        if isShuttingDown && !keepsQueuedJobsAtShutdown(job) {
            killJob(job.id, reason: "server shutdown")
            return
        }
        guard registerDependencies(of: job) else { return }
        if let notBefore = job.notBefore, notBefore > Clock.now() {
            hold(active, for: notBefore - Clock.now())
        }
        makeReadyIfFree(job.id)
    }

    /// Keeps a queued job from starting for a while (a start time, a retry's pause).
    private func hold(_ active: ActiveJob, for seconds: Double) {
        active.startTimer = loop.timer(after: seconds) { [unowned self, unowned active] in
            active.startTimer = nil
            self.makeReadyIfFree(active.job.id)
            self.startAdmittedJobs()
        }
    }

    /// Makes the job wait for its active dependencies; false if one has
    /// already ended without success, which ends the job here.
    private func registerDependencies(of job: Job) -> Bool {
        // Most jobs have none: no list of kinds to build for them.
        guard !job.after.isEmpty || !job.afterAny.isEmpty else { return true }
        for (ids, kind) in [(job.after, DependencyGraph.Kind.afterSuccess), (job.afterAny, .afterAny)] {
            for dependency in ids {
                if activeJobs[dependency] != nil {
                    dependencies.add(job.id, waitsFor: dependency, kind: kind)
                } else if kind == .afterSuccess, let ended = try? records.storedJob(dependency), !ended.succeeded {
                    finish(job.id, status: .killed, returncode: nil, msg: JobLifecycle.brokenDependencyMessage(ended))
                    return false
                }
            }
        }
        return true
    }

    private func keepsQueuedJobsAtShutdown(_ job: Job) -> Bool {
        settings.resume && !job.sync
    }

    /// Hands a queued job to the scheduler once nothing else holds it back;
    /// `startAdmittedJobs` then starts it when its turn comes.
    private func makeReadyIfFree(_ id: JobID) {
        guard let active = activeJobs[id], active.job.status == .queued, active.startTimer == nil,
              !dependencies.isBlocked(id) else { return }
        scheduler.makeReady(id, group: active.job.group, priority: active.job.priority,
                            resources: active.job.resources, timeout: active.job.timeout)
    }

    /// Gives a running job a new notify URL (nil: none), told when it ends; false if it is not running.
    @discardableResult
    package func setNotify(_ url: String?, ofRunning id: JobID) -> Bool {
        guard let active = activeJobs[id], active.job.status == .running else { return false }
        active.job.notify = url
        onEvent(.edited(active.job))
        return true
    }

    /// Puts a queued job's edited definition (`JobEdit`) in force: its place
    /// in the index and in the ready queues, its start time. False if the job
    /// is no longer queued. The caller then starts admitted jobs.
    @discardableResult
    package func replaceQueued(_ edited: Job) -> Bool {
        guard let active = activeJobs[edited.id], active.job.status == .queued else { return false }
        let old = active.job
        active.job = edited
        activeIndex.remove(old)
        activeIndex.insert(edited)
        // A ready job goes in line again under its new group and priority, as one that has just become ready;
        // new needs apply in its place.
        if edited.group != old.group || edited.priority != old.priority, scheduler.remove(edited.id) {
            makeReadyIfFree(edited.id)
        } else if edited.resources != old.resources || edited.timeout != old.timeout {
            scheduler.setNeeds(of: edited.id, resources: edited.resources, timeout: edited.timeout)
        }
        if edited.notBefore != old.notBefore {
            // The new start time replaces the old one, and a retry's pause with it.
            active.startTimer = nil
            if let notBefore = edited.notBefore, notBefore > Clock.now() {
                _ = scheduler.remove(edited.id)
                hold(active, for: notBefore - Clock.now())
            }
            makeReadyIfFree(edited.id)
        }
        logger.info("job \(edited.id) edited (name \(Excerpt.plain(edited.name, limit: 80)), group \(Excerpt.plain(edited.group, limit: 80)), priority \(edited.priority)): \(Excerpt.plain(edited.command))")
        onEvent(.edited(edited))
        return true
    }

    /// Starts the admitted jobs at the next turn of the loop, once the replies
    /// written in this turn have gone out: libevent writes a reply when its
    /// socket is reported writable, which is after this turn's callbacks, so a
    /// spawn here would sit on the reply's path (half a millisecond each).
    /// What handlers call after answering; a sync submit, whose client waits
    /// for the job itself, starts it at once.
    package func startAdmittedJobsAfterReplies() {
        startAfterReplies.add(timeout: 0)
    }

    package func startAdmittedJobs() {
        guard !isShuttingDown, unconfirmedChanges == 0 else { return }
        for id in scheduler.admit(now: Clock.now()) {
            if let active = activeJobs[id] { start(active) }
        }
    }

    /// No job starts until `releaseStarts`: a change made in memory waits for
    /// its commit, and a job ending meanwhile must not start the next one
    /// under a definition the commit may still refuse (and its undo restore).
    package func holdStarts() {
        unconfirmedChanges += 1
    }

    /// The change is committed, or refused and undone: jobs start again.
    package func releaseStarts() {
        unconfirmedChanges -= 1
        if unconfirmedChanges == 0 { startAdmittedJobsAfterReplies() }
    }

    // MARK: Groups

    // The caller then starts admitted jobs, once for all the groups it changes.
    package func setLimit(_ limit: Int?, for group: String) {
        scheduler.setLimit(limit, for: group)
        onEvent(.groupChanged(name: group, settings: scheduler.settings(of: group)))
    }

    package func setNotify(_ url: String?, for group: String) {
        scheduler.setNotify(url, for: group)
        onEvent(.groupChanged(name: group, settings: scheduler.settings(of: group)))
    }

    package func setPaused(_ paused: Bool, group: String) {
        scheduler.setPaused(paused, group: group)
        onEvent(.groupChanged(name: group, settings: scheduler.settings(of: group)))
    }

    /// Puts back settings that a failed commit did not keep (and restores them at start).
    package func replaceGroupSettings(with settings: [String: Scheduler.Group]) {
        let changed = Set(scheduler.groupSettings.keys).union(settings.keys).filter {
            scheduler.settings(of: $0) != settings[$0] ?? Scheduler.Group()
        }
        scheduler.replaceGroupSettings(with: settings)
        for name in changed.sorted() { onEvent(.groupChanged(name: name, settings: scheduler.settings(of: name))) }
    }

    // MARK: Running

    /// What a job starts from: the environment it was submitted with (read
    /// now, never held for the queue), or the server's.
    private func startEnvironment(of job: Job) throws(ExecutorError) -> BaseEnvironment {
        guard let id = job.environmentID else { return .server }
        let entries: [String]?
        do {
            entries = try records.environment(id)
        } catch {
            throw ExecutorError(message: "cannot read its environment: \(error.message)")
        }
        guard let entries else { throw ExecutorError(message: "its environment (\(id)) is not in the database") }
        return BaseEnvironment(entries: entries)
    }

    private func start(_ active: ActiveJob) {
        var job = active.job
        let plan = OutputPlan(sync: job.sync, outlog: job.outlog, errlog: job.errlog)
        job.attempts += 1
        // Its share of the machine, for this run.
        job.allocation = scheduler.allocation(of: job.id)
        // A new run: where a previous attempt ran on a cluster no longer says anything.
        (job.slurmJobID, job.node, job.slurmState, job.slurmReason) = (nil, nil, nil, nil)
        let pid: Int32?
        do {
            pid = try executor.start(job, environment: try startEnvironment(of: job), plan: plan, output: outputHandler(of: active))
        } catch {
            logger.warning("job \(job.id) failed to start: \(error.message)")
            active.job = job
            finish(job.id, status: .failed, returncode: nil, msg: error.message)
            return
        }
        job.status = .running
        // Waiting in a cluster's queue is not running: its run begins when the cluster says (`placed`).
        job.started = executor.hasOwnQueue ? nil : Clock.now()
        job.pid = pid
        job.msg = ""
        active.job = job
        records.save(job)
        if active.spool == nil { active.spool = spoolWriter(of: job) }
        armTimeout(of: active)
        logger.info("job \(job.id) started\(pid.map { ", pid \($0)" } ?? "")\(job.attempts > 1 ? ", attempt \(job.attempts)" : "")")
        onEvent(.started(job))
    }

    /// A timeout counts from the start of the run, and once that has begun:
    /// also for a job taken back after a restart, which has used part of it.
    private func armTimeout(of active: ActiveJob) {
        guard let timeout = active.job.timeout, let started = active.job.started else { return }
        let id = active.job.id
        active.timeoutTimer = loop.timer(after: max(0, timeout - (Clock.now() - started))) { [unowned self] in
            self.killJob(id, reason: "timeout after \(Timestamp.seconds(timeout)) s")
        }
    }

    private func spoolWriter(of job: Job) -> SpoolWriter {
        SpoolWriter(spool: spool, id: job.id, streams: OutputPlan(sync: job.sync, outlog: job.outlog, errlog: job.errlog).spoolStreams,
                    holdsSmallOutput: !executor.readsOnAfterRestart)
    }

    private func outputHandler(of active: ActiveJob) -> (UnsafeRawBufferPointer, JobOutputStream) -> Void {
        { [unowned self, unowned active] bytes, stream in self.capture(bytes, from: stream, of: active) }
    }

    /// Takes back a job that a previous run of the server started and that
    /// still runs without it (on a cluster); false if the executor cannot.
    package func adopt(_ job: Job) -> Bool {
        let active = ActiveJob(job: job, syncClient: nil)
        guard executor.adopt(job, output: outputHandler(of: active)) else { return false }
        activeJobs[job.id] = active
        activeIndex.insert(job)
        scheduler.adoptRunning(job.id, group: job.group)
        active.spool = spoolWriter(of: job)
        armTimeout(of: active)
        logger.info("job \(job.id) runs on after the restart (slurm job \(job.slurmJobID.map(String.init) ?? "?"))")
        return true
    }

    /// The cluster says where a job is: kept in its record. Its run has begun
    /// once the cluster says so: `started`, and its timeout, count from then.
    private func placed(_ id: JobID, _ placement: ClusterPlacement) {
        guard let active = activeJobs[id], active.job.status == .running else { return }
        var job = active.job
        job.pid = placement.pid ?? job.pid
        var begins = false
        if !placement.isProcessOnly {
            job.slurmJobID = placement.slurmJobID ?? job.slurmJobID
            job.node = placement.node ?? job.node
            job.slurmState = placement.state ?? job.slurmState
            job.slurmReason = placement.reason
            begins = placement.hasBegun && job.started == nil
            if begins { job.started = Clock.now() }
            // While the cluster holds the job, its msg says why (a running job's msg is empty).
            if job.started == nil || begins { job.msg = placement.waitingMessage ?? "" }
        }
        guard job != active.job else { return }
        active.job = job
        records.save(job)
        if begins { armTimeout(of: active) }
        // A local job's pid follows its start within a moment: not worth an event to every client.
        if !placement.isProcessOnly { onEvent(.placed(job)) }
    }

    /// Output read from a job: kept in the spool, sent to its sync client and followers.
    private func capture(_ bytes: UnsafeRawBufferPointer, from stream: JobOutputStream, of active: ActiveJob) {
        active.spool?.append(bytes, to: .both)
        if stream != .both { active.spool?.append(bytes, to: stream) }
        if let client = active.syncClient, client.isOpen {
            active.clientSawNewline = bytes.last == UInt8(ascii: "\n")
            // Past the limit, the output is no longer read until the client catches up.
            if client.unsentBytes + bytes.count > JobRunner.maxUnsentOutput {
                let id = active.job.id
                executor.pauseOutput(of: id)
                client.send(bytes) { [weak self] in self?.executor.resumeOutput(of: id) }
            } else {
                client.send(bytes, whenFlushed: nil)
            }
        }
        var shared: SharedBytes?
        for index in active.followers.indices where active.followers[index].stream == .both || active.followers[index].stream == stream {
            // One copy for all the followers: a thousand of a job that prints fast held a copy each.
            if shared == nil { shared = SharedBytes(bytes) }
            active.followers[index].client.send(shared!)
            active.followers[index].sawNewline = bytes.last == UInt8(ascii: "\n")
        }
        // A follower must not hold the job back: one that falls too far behind is let go.
        active.followers.removeAll { follower in
            guard follower.client.unsentBytes > JobRunner.maxUnsentOutput else { return !follower.client.isOpen }
            follower.client.send("\njobsched: output dropped: this client reads too slowly\n")
            follower.client.endStream()
            return true
        }
    }

    /// Sends an active job's output to `client` from now on, until the job ends.
    /// `sawNewline`: whether what the client was sent so far ends with a newline.
    package func follow(_ id: JobID, client: any OutputClient, stream: JobOutputStream, sawNewline: Bool) {
        guard let active = activeJobs[id] else { return }
        active.followers.append(Follower(client: client, stream: stream, sawNewline: sawNewline))
        withReaders.insert(id)
    }

    package func unfollow(_ id: JobID, client: any OutputClient) {
        activeJobs[id]?.followers.removeAll { $0.client === client }
    }

    /// The executor's report that a started job's run is over.
    private func runEnded(_ id: JobID, _ end: RunEnd) {
        guard let active = activeJobs[id] else { return }
        active.timeoutTimer = nil
        switch JobLifecycle.afterRun(of: active.job, end: end, killReason: active.killReason,
                                     shuttingDown: isShuttingDown, resume: settings.resume) {
        case .finish(let status, let msg):
            finish(id, status: status, returncode: end.returncode, msg: msg, usage: end.usage)
        case .retry(let msg, let delay):
            retry(active, msg: msg, after: delay)
        case .requeue(let msg):
            active.job.attempts -= 1
            retry(active, msg: msg, after: 0)
        }
    }

    /// Puts a job whose run failed back in the queue, after its retry delay.
    private func retry(_ active: ActiveJob, msg: String, after delay: Double) {
        let id = active.job.id
        scheduler.finished(id)
        active.job.status = .queued
        active.job.pid = nil
        active.job.msg = msg
        records.save(active.job)
        logger.info("job \(id) \(msg)")
        onEvent(.retried(active.job))
        if delay > 0 { hold(active, for: delay) }
        makeReadyIfFree(id)
        startAdmittedJobs()
    }

    /// Ends a job on jobsched's behalf: a queued one at once, a running one
    /// through its executor; it finishes as `killed` with `reason` as its msg.
    @discardableResult
    package func killJob(_ id: JobID, reason: String) -> KillOutcome {
        guard let active = activeJobs[id] else {
            do {
                guard let job = try records.storedJob(id) else { return .unknown }
                return .alreadyFinished(job.status)
            } catch {
                logger.error("reading job \(id): \(error)")
                return .unknown
            }
        }
        if active.job.status == .queued {
            finish(id, status: .killed, returncode: nil, msg: reason)
        } else {
            if active.killReason == nil {
                active.killReason = reason
                logger.info("job \(id) killing: \(reason)")
            }
            executor.stop(id)
        }
        return .killed
    }

    // MARK: Endings

    /// The job is over: record it, answer its sync client and followers, free
    /// its slot, and settle the jobs that depended on it.
    ///
    /// Ending a job can end others (dependents that can no longer run, jobs
    /// that fail to start in the freed slot), and those more: a chain of
    /// 100,000 `after=` jobs ends in one call. So endings go on a work list
    /// that the outermost call drains, never one stack frame per job.
    private func finish(_ id: JobID, status: JobStatus, returncode: Int32?, msg: String, usage: ResourceUsage? = nil) {
        endings.append(Ending(id: id, status: status, returncode: returncode, msg: msg, usage: usage))
        guard endings.count == 1 else { return }  // a call further up is draining the list
        var next = 0
        repeat {
            while next < endings.count {
                record(endings[next])
                next += 1
            }
            // Done once for all the endings; starting jobs may add endings (a failed start).
            trimHistory()
            startAdmittedJobs()
        } while next < endings.count
        endings.removeAll(keepingCapacity: true)
        onSettled()
    }

    /// Removes a finished job's spool files once its output, kept in the
    /// database with its last state, is committed (a refused commit writes it again).
    private func removeFilesOnceCommitted(_ id: JobID) {
        records.afterNextCommit { [unowned self] result in
            if case .success = result { spool.remove(id) } else { removeFilesOnceCommitted(id) }
        }
    }

    /// Ends the replies that read the job's output (its sync client's, its
    /// followers') with its end.
    private func endReaders(of active: ActiveJob, with job: Job) {
        if let client = active.syncClient, client.isOpen {
            client.endStream(with: job, sawNewline: active.clientSawNewline)
        }
        active.followers.forEach { $0.client.endStream(with: job, sawNewline: $0.sawNewline) }
    }

    private func record(_ ending: Ending) {
        let id = ending.id
        guard let active = activeJobs.removeValue(forKey: id) else { return }
        withReaders.remove(id)
        activeIndex.remove(active.job)
        scheduler.finished(id)
        _ = scheduler.remove(id)
        dependencies.remove(id)
        active.startTimer = nil
        active.timeoutTimer = nil
        // Its files are complete now: what they could not keep is said in msg.
        let finishedOutput = active.spool?.finish()
        var job = active.job
        job.status = ending.status
        job.returncode = ending.returncode
        job.msg = OutputLoss.msg(ending.msg, adding: active.spool?.loss)
        job.usage = ending.usage ?? job.usage
        job.finished = Clock.now()
        records.save(job, output: finishedOutput?.output)
        if finishedOutput?.inFiles == true { removeFilesOnceCommitted(id) }
        if let outcome = JobOutcome(job) { finished.add(group: job.group, outcome: outcome) }
        logger.info("job \(id) \(job.status.rawValue), returncode \(job.returncode.map(String.init) ?? "-")\(job.msg.isEmpty ? "" : ": \(job.msg)")")

        endReaders(of: active, with: job)
        onEvent(.finished(job))

        let (unblocked, broken) = dependencies.resolve(id, succeeded: job.succeeded)
        for waiting in broken {
            endings.append(Ending(id: waiting, status: .killed, returncode: nil,
                                  msg: JobLifecycle.brokenDependencyMessage(job)))
        }
        unblocked.forEach(makeReadyIfFree)
    }

    // MARK: History

    /// Counts the finished jobs the store holds, once at start.
    package func countFinished(_ count: () throws(SQLiteError) -> FinishedCounts) {
        finished = (try? count()) ?? FinishedCounts()
    }

    /// The most ranges one `removed` event carries: a removal whose ids lie
    /// scattered is announced in several events, each a bounded size.
    package static let maxRangesPerEvent = 4096

    /// Deletes finished jobs with `delete`, and once that is committed their
    /// spool files (unless the caller sweeps them itself, `removingFiles`):
    /// a failed commit brings the rows back, and their output with them.
    /// `committed` is then given the ids that are gone, none if the commit failed.
    package func deleteFinished(_ delete: () throws(SQLiteError) -> [DeletedJob], removingFiles: Bool = true,
                                committed: @escaping (IDRanges) -> Void) throws(SQLiteError) -> [JobID] {
        let deleted = try delete()
        guard !deleted.isEmpty else { return [] }
        // Counted at once: --keep-finished trims again before this commit.
        deleted.forEach { finished.remove(group: $0.group, outcome: $0.outcome) }
        records.afterNextCommit { [unowned self] result in
            switch result {
            case .success:
                let ids = IDRanges(deleted.map(\.id))
                if removingFiles { self.turns.add(self.spool.removal(of: ids)) }
                committed(ids)
            case .failure:
                deleted.forEach { self.finished.add(group: $0.group, outcome: $0.outcome) }
                committed(IDRanges())
            }
        }
        return deleted.map(\.id)
    }

    /// Tells the removal of committed deletions: one `removed` event, or one
    /// per `maxRangesPerEvent` ranges.
    package func announceRemoval(_ ids: IDRanges) {
        ids.pieces(ofAtMost: JobRunner.maxRangesPerEvent).forEach { onEvent(.removed($0)) }
    }

    /// The most finished jobs one trim deletes: a bigger excess (a restart
    /// with a lower --keep-finished) is trimmed a page a turn.
    package static let trimPageRows = 256

    /// --keep-finished: keeps the jobs that finished last, whatever their ids.
    private func trimHistory() {
        guard trimPage(), !isTrimmingInTurns else { return }
        isTrimmingInTurns = true
        turns.add { [unowned self] in
            isTrimmingInTurns = trimPage()
            return isTrimmingInTurns
        }
    }

    /// Deletes a page of the excess of finished jobs; true if more is left.
    private func trimPage() -> Bool {
        guard let keep = settings.keepFinished, finished.total > keep else { return false }
        let excess = finished.total - keep
        do {
            _ = try deleteFinished({ () throws(SQLiteError) in
                try records.deleteEarliestFinished(min(excess, JobRunner.trimPageRows))
            }, committed: { [unowned self] in self.announceRemoval($0) })
        } catch {
            logger.error("trimming finished jobs: \(error.message)")
            return false
        }
        return excess > JobRunner.trimPageRows
    }

    // MARK: Shutdown

    /// The `msg` of the jobs a shutdown ends.
    package static let shutdownReason = "server shutdown"

    /// Refuses to start anything more and ends every job but those --resume
    /// keeps queued; a second call forces the stopped jobs' end at once.
    package func shutDown() {
        guard !isShuttingDown else {
            executor.stopAllNow()
            return
        }
        isShuttingDown = true
        let reason = JobRunner.shutdownReason
        if !settings.resume { endQueuedJobs(reason: reason) }
        // The running jobs, and the queued ones --resume does not keep (sync
        // jobs: they have a client), without a look at every queued job.
        let queuedToEnd = withReaders.sorted().filter { id in
            activeJobs[id].map { $0.job.status == .queued && !keepsQueuedJobsAtShutdown($0.job) } ?? false
        }
        for id in (scheduler.running.keys + queuedToEnd).sorted() { killJob(id, reason: reason) }
    }

    /// Ends every queued job at once in memory: one pass. One ending each (its
    /// UPDATE, log line, event and bookkeeping) took 27 s for a million queued
    /// jobs. Their sync clients and followers get the end; a waiter is answered
    /// as the server exits, from what is stored: the server marks them killed
    /// in the store meanwhile, a page at a time (`JobSchedServer`); /events
    /// clients have had `shutdown`, not each end.
    private func endQueuedJobs(reason: String) {
        let now = Clock.now()
        // Not a pass over every job (a million took 200 ms): the ones with readers, then the running ones.
        for id in withReaders.sorted() {
            guard let active = activeJobs[id], active.job.status == .queued,
                  active.syncClient != nil || !active.followers.isEmpty else { continue }
            var job = active.job
            (job.status, job.msg, job.finished) = (.killed, reason, now)
            endReaders(of: active, with: job)
        }
        var running = JobIDMap<ActiveJob>()
        for id in scheduler.running.keys { running[id] = activeJobs[id] }
        // Freed with the process, which is about to exit: freeing a million
        // queued jobs held the loop for a tenth of a second.
        endedAtShutdown = activeJobs
        activeJobs = running
        activeIndex = ActiveIndex()
        activeJobs.values.forEach { activeIndex.insert($0.job) }
        scheduler.removeAllReady()
        // Only running jobs are left, and no job waits on another any more.
        dependencies = DependencyGraph()
    }
}
