import Logging
import Testing
@testable import JobSchedModel
@testable import JobSchedRunner
@testable import JobSchedSystem

/// An executor that runs nothing: it records what it is asked, and a test
/// ends its jobs as it likes.
private final class FakeExecutor: Executor {
    var onEnded: (JobID, RunEnd) -> Void = { _, _ in }
    var onPlaced: (JobID, ClusterPlacement) -> Void = { _, _ in }
    var onIdle: () -> Void = {}
    var isIdle = true
    var hasOwnQueue = false
    var readsOnAfterRestart = false
    private(set) var started: [JobID] = []
    private(set) var stopped: [JobID] = []
    /// Jobs that fail to start, with the reason.
    var refusals: [JobID: String] = [:]

    func start(_ job: Job, environment: BaseEnvironment, plan: OutputPlan,
               output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32? {
        if let reason = refusals[job.id] { throw ExecutorError(message: reason) }
        started.append(job.id)
        return 1000 + Int32(started.count)
    }

    func stop(_ id: JobID) { stopped.append(id) }
    func stopAllNow() {}
    func pauseOutput(of id: JobID) {}
    func resumeOutput(of id: JobID) {}

    func adopt(_ job: Job, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) -> Bool { false }
    func end(_ id: JobID, _ termination: Termination) { onEnded(id, .ran(termination)) }
}

/// The store as a dictionary; commits are run by the test.
private final class FakeRecords: JobRecords {
    private(set) var jobs: [JobID: Job] = [:]
    private(set) var outputs: [JobID: CompactOutput] = [:]
    private var afterCommit: [(Result<Void, SQLiteError>) -> Void] = []

    func save(_ job: Job, output: CompactOutput?) {
        jobs[job.id] = job
        if let output { outputs[job.id] = output }
    }
    func storedJob(_ id: JobID) throws(SQLiteError) -> Job? { jobs[id] }
    func environment(_ id: Int64) throws(SQLiteError) -> [String]? { nil }
    func deleteEarliestFinished(_ count: Int) throws(SQLiteError) -> [DeletedJob] {
        let oldest = jobs.values.filter(\.status.isFinished).sorted { ($0.finished ?? 0, $0.id) < ($1.finished ?? 0, $1.id) }
        let deleted = oldest.prefix(count).map { DeletedJob(id: $0.id, group: $0.group, outcome: JobOutcome($0)!) }
        deleted.forEach { jobs[$0.id] = nil }
        return deleted
    }
    func afterNextCommit(_ work: @escaping (Result<Void, SQLiteError>) -> Void) { afterCommit.append(work) }

    /// What a group commit does at the end of a loop iteration.
    func commit(_ result: Result<Void, SQLiteError> = .success(())) {
        let work = afterCommit
        afterCommit = []
        work.forEach { $0(result) }
    }
}

/// A runner on fakes: no process, no database, no server. The event loop is
/// real but never runs, so no timer fires.
private final class Harness {
    let scratch: ScratchDirectory
    let executor = FakeExecutor()
    let records = FakeRecords()
    let runner: JobRunner
    /// Every change the runner reported, in order.
    private(set) var events: [ServerEvent] = []
    var finished: [JobID] { events.compactMap { if case .finished(let job) = $0 { job.id } else { nil } } }

    init(maxRunning: Int = 2, resume: Bool = false, keepFinished: Int? = nil) throws {
        scratch = try ScratchDirectory()
        let spool = try Spool(directory: scratch.file("spool"), maxBytes: 4096, database: "test", databaseStartsEmpty: true, logger: Logger(label: "test"))
        let loop = try EventLoop()
        runner = JobRunner(settings: .init(maxRunning: maxRunning, resume: resume, keepFinished: keepFinished),
                           loop: loop, turns: Turns(loop: loop, turnSeconds: 0.002), records: records, executor: executor, spool: spool,
                           logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        runner.onEvent = { [unowned self] event in self.events.append(event) }
    }

    /// Queues jobs as a committed submit does, then starts what fits.
    func submit(_ jobs: [Job]) {
        jobs.forEach(records.save)
        jobs.forEach { runner.enqueue($0, syncClient: nil) }
        runner.startAdmittedJobs()
    }

    func job(_ id: JobID, after: [JobID] = [], afterAny: [JobID] = [], retries: Int = 0, sync: Bool = false) -> Job {
        var job = Job(id: id, name: "j\(id)", group: "g", command: "true", sync: sync, submitted: 0)
        job.after = after
        job.afterAny = afterAny
        job.retries = retries
        return job
    }

    func record(_ id: JobID) -> Job? { records.jobs[id] }
}

@Suite("Unit: the job runner, on a fake executor and store")
struct JobRunnerUnitTests {
    /// A change awaiting its commit (an edit, a resume) holds every start: a
    /// job ending meanwhile must not start the next under a refused change.
    @Test func noJobStartsWhileAChangeAwaitsItsCommit() throws {
        let h = try Harness(maxRunning: 1)
        h.submit([h.job(1), h.job(2)])
        h.runner.holdStarts()
        h.runner.holdStarts()
        h.executor.end(1, .exited(0))
        h.runner.startAdmittedJobs()
        h.runner.releaseStarts()
        h.runner.startAdmittedJobs()
        #expect(h.executor.started == [1])
        h.runner.releaseStarts()
        h.runner.startAdmittedJobs()  // what the zero timer releaseStarts schedules does
        #expect(h.executor.started == [1, 2])
    }

    @Test func aFailedDependencyKillsTheWholeChainBehindIt() throws {
        let h = try Harness(maxRunning: 1)
        let chain = 2_000
        h.submit((1...chain).map { h.job(JobID($0), after: $0 == 1 ? [] : [JobID($0 - 1)]) })
        #expect(h.executor.started == [1])
        h.executor.end(1, .exited(2))
        #expect(h.record(1)?.status == .success)
        #expect(h.record(1)?.returncode == 2)
        #expect(h.record(2)?.status == .killed)
        #expect(h.record(2)?.msg == "dependency 1 ended with returncode 2")
        #expect(h.record(3)?.msg == "dependency 2 killed")
        #expect((2...chain).allSatisfy { h.record(JobID($0))?.status == .killed })
        #expect(h.executor.started == [1])
        #expect(h.runner.activeJobs.isEmpty)
        #expect(h.finished.count == chain)
    }

    @Test func afterAnyStartsOnceTheDependencyEndsHowever() throws {
        let h = try Harness()
        h.submit([h.job(1), h.job(2, afterAny: [1]), h.job(3, after: [1])])
        #expect(h.executor.started == [1])
        h.executor.end(1, .signaled(9))
        #expect(h.executor.started == [1, 2])
        #expect(h.record(3)?.status == .killed)
        #expect(h.record(3)?.msg == "dependency 1 ended with returncode -9")
    }

    @Test func aJobAfterOneThatAlreadyFailedEndsAtOnce() throws {
        let h = try Harness()
        h.submit([h.job(1)])
        h.executor.end(1, .exited(1))
        h.submit([h.job(2, after: [1])])
        #expect(h.record(2)?.status == .killed)
        #expect(h.record(2)?.msg == "dependency 1 ended with returncode 1")
        #expect(h.executor.started == [1])
    }

    @Test func aJobInAClustersQueueStartsWhenTheClusterRunsIt() throws {
        let h = try Harness()
        h.executor.hasOwnQueue = true
        var job = h.job(1)
        job.timeout = 60
        h.submit([job])
        #expect(h.record(1)?.status == .running && h.record(1)?.started == nil)
        #expect(h.runner.activeJobs[1]?.timeoutTimer == nil)
        h.executor.onPlaced(1, ClusterPlacement(slurmJobID: 7, node: nil, state: "PENDING"))
        #expect(h.record(1)?.slurmJobID == 7 && h.record(1)?.started == nil)
        h.executor.onPlaced(1, ClusterPlacement(slurmJobID: 7, node: "n1", state: "RUNNING", hasBegun: true))
        #expect(h.record(1)?.started != nil && h.record(1)?.node == "n1")
        #expect(h.runner.activeJobs[1]?.timeoutTimer != nil)
        #expect(h.events.map(\.name) == ["submitted", "started", "placed", "placed"])
    }

    @Test func aFailedRunIsRetriedUntilItsAttemptsAreSpent() throws {
        let h = try Harness()
        h.submit([h.job(1, retries: 1)])
        h.executor.end(1, .exited(1))
        #expect(h.executor.started == [1, 1])
        #expect(h.record(1)?.status == .running)
        #expect(h.record(1)?.attempts == 2)
        h.executor.end(1, .exited(1))
        #expect(h.record(1)?.status == .success)
        #expect(h.record(1)?.returncode == 1)
        #expect(h.executor.started == [1, 1])
    }

    @Test func killingARunningJobEndsItKilledWithTheReasonAndNoRetry() throws {
        let h = try Harness()
        h.submit([h.job(1, retries: 3), h.job(2)])
        #expect(h.runner.killJob(1, reason: "timeout after 5 s") == .killed)
        #expect(h.executor.stopped == [1])
        #expect(h.record(1)?.status == .running)  // until the executor reports its end
        h.executor.end(1, .signaled(15))
        #expect(h.record(1)?.status == .killed)
        #expect(h.record(1)?.returncode == -15)
        #expect(h.record(1)?.msg == "timeout after 5 s")
        #expect(h.runner.killJob(1, reason: "again") == .alreadyFinished(.killed))
        #expect(h.runner.killJob(99, reason: "none") == .unknown)
    }

    @Test func killingAQueuedJobEndsItWithoutRunning() throws {
        let h = try Harness(maxRunning: 1)
        h.submit([h.job(1), h.job(2)])
        h.runner.killJob(2, reason: "killed by request")
        #expect(h.record(2)?.status == .killed)
        #expect(h.record(2)?.returncode == nil)
        h.executor.end(1, .exited(0))
        #expect(h.executor.started == [1])
    }

    @Test func aJobThatCannotStartFailsAndFreesItsSlot() throws {
        let h = try Harness(maxRunning: 1)
        h.executor.refusals[1] = "cannot use cwd '/nope': No such file or directory"
        h.submit([h.job(1), h.job(2)])
        #expect(h.record(1)?.status == .failed)
        #expect(h.record(1)?.msg == "cannot use cwd '/nope': No such file or directory")
        #expect(h.executor.started == [2])
    }

    @Test func shutdownKillsRunningJobsAndWithResumeKeepsAsyncQueuedOnes() throws {
        let h = try Harness(maxRunning: 1, resume: true)
        h.submit([h.job(1), h.job(2), h.job(3, sync: true)])
        h.runner.shutDown()
        #expect(h.executor.stopped == [1])
        #expect(h.record(2)?.status == .queued)
        #expect(h.record(3)?.status == .killed)
        #expect(h.record(3)?.msg == "server shutdown")
        h.executor.end(1, .signaled(15))
        #expect(h.record(1)?.status == .killed)
        #expect(h.executor.started == [1])  // nothing starts during shutdown
        #expect(h.runner.isIdle)
    }

    /// In memory at once; the server marks them killed in the store, a page at a time.
    @Test func shutdownWithoutResumeEndsEveryQueuedJobAtOnce() throws {
        let h = try Harness(maxRunning: 1)
        h.submit([h.job(1), h.job(2), h.job(3, sync: true), h.job(4, after: [2])])
        h.runner.shutDown()
        #expect(h.executor.stopped == [1])
        #expect(h.runner.activeJobs.keys == [1])
        for id: JobID in [2, 3, 4] { #expect(h.record(id)?.status == .queued) }
        // Not one event each: /events clients have had `shutdown`.
        #expect(h.finished.isEmpty)
        #expect(h.runner.queuedCount == 0)
        h.executor.end(1, .signaled(15))
        #expect(h.record(1)?.status == .killed)
        #expect(h.executor.started == [1])
        #expect(h.runner.isIdle)
    }

    @Test func keepFinishedTrimsTheJobsThatFinishedFirst() throws {
        let h = try Harness(maxRunning: 3, keepFinished: 2)
        h.submit([h.job(1), h.job(2), h.job(3)])
        for id: JobID in [3, 1, 2] { h.executor.end(id, .exited(0)) }
        #expect(h.record(3) == nil)
        #expect(h.record(1) != nil && h.record(2) != nil)
        #expect(h.runner.finished.total == 2)
        #expect(h.events.filter { if case .removed = $0 { true } else { false } }.isEmpty)  // not committed yet
        h.records.commit()
        #expect(h.events.last == .removed(IDRanges([3])))
    }

    @Test func everyChangeIsReportedInOrder() throws {
        let h = try Harness(maxRunning: 1)
        h.submit([h.job(1, retries: 1), h.job(2)])
        h.executor.end(1, .exited(3))  // retried: queued again behind job 2
        h.runner.killJob(2, reason: "test")
        h.executor.end(2, .signaled(15))
        h.executor.end(1, .exited(0))
        h.runner.setPaused(true, group: "g")
        let names = h.events.map { event -> String in
            if let job = event.job { return "\(event.name) \(job.id) \(job.status.rawValue)" }
            return event.name
        }
        #expect(names == ["submitted 1 queued", "submitted 2 queued", "started 1 running", "retried 1 queued",
                          "started 2 running", "killed 2 killed", "started 1 running", "finished 1 success", "group"])
        #expect(h.events.last == .groupChanged(name: "g", settings: Scheduler.Group(paused: true)))
    }

    // MARK: Edits

    @Test func anEditedPriorityGoesBeforeTheJobsAheadOfIt() throws {
        let h = try Harness(maxRunning: 1)
        h.submit([h.job(1), h.job(2), h.job(3)])
        var urgent = try #require(h.runner.activeJobs[3]?.job)
        urgent.priority = 5
        #expect(h.runner.replaceQueued(urgent))
        h.executor.end(1, .exited(0))
        #expect(h.executor.started == [1, 3])
        #expect(h.events.last(where: { $0.name == "edited" }) == .edited(urgent))
    }

    @Test func anEditedGroupMovesTheJobIntoThatGroupsQueueAndIndex() throws {
        let h = try Harness()
        h.runner.setPaused(true, group: "g")
        h.submit([h.job(1)])
        #expect(h.executor.started.isEmpty)
        var moved = try #require(h.runner.activeJobs[1]?.job)
        moved.group = "free"
        moved.name = "renamed"
        h.runner.replaceQueued(moved)
        h.runner.startAdmittedJobs()
        #expect(h.executor.started == [1])
        #expect(h.runner.scheduler.runningPerGroup == ["free": 1])
        #expect(h.runner.activeIndex.jobs(inGroup: "g").isEmpty)
        #expect(h.runner.activeIndex.firstJob(named: "renamed", inGroup: "free") == 1)
        #expect(h.runner.activeIndex.firstJob(named: "j1", inGroup: "g") == nil)
    }

    @Test func anEditedStartTimeHoldsTheJobOrFreesIt() throws {
        let h = try Harness(maxRunning: 1)
        var later = h.job(2)
        later.notBefore = Clock.now() + 3600
        h.submit([h.job(1), later, h.job(3)])
        #expect(!h.runner.scheduler.isReady(2) && h.runner.scheduler.isReady(3))
        later.notBefore = Clock.now()
        h.runner.replaceQueued(later)
        #expect(h.runner.scheduler.isReady(2) && h.runner.activeJobs[2]?.startTimer == nil)
        var held = try #require(h.runner.activeJobs[3]?.job)
        held.notBefore = Clock.now() + 3600
        h.runner.replaceQueued(held)
        #expect(!h.runner.scheduler.isReady(3) && h.runner.activeJobs[3]?.startTimer != nil)
        h.executor.end(1, .exited(0))
        #expect(h.executor.started == [1, 2])
    }

    @Test func onlyAQueuedJobIsReplaced() throws {
        let h = try Harness(maxRunning: 1)
        h.submit([h.job(1)])
        var running = try #require(h.runner.activeJobs[1]?.job)
        running.command = "false"
        #expect(!h.runner.replaceQueued(running))
        #expect(h.runner.activeJobs[1]?.job.command == "true")
        #expect(!h.runner.replaceQueued(h.job(99)))
        #expect(!h.events.contains { $0.name == "edited" })
    }
}
