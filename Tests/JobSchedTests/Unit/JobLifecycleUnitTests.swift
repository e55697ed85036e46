import Testing
@testable import JobSchedAPI
@testable import JobSchedModel

/// The pure decisions of a job's life: no process, no database, no server.
@Suite("Unit: lifecycle decisions")
struct JobLifecycleUnitTests {
    private func job(status: JobStatus = .running, attempts: Int = 1, retries: Int = 0, sync: Bool = false) -> Job {
        var job = Job(id: 7, name: "j", group: "g", command: "false", status: status, sync: sync, submitted: 100,
                      started: status == .running ? 101 : nil, pid: status == .running ? 4242 : nil)
        job.attempts = attempts
        job.retries = retries
        job.retryDelay = 2.5
        return job
    }

    @Test func aRunThatEndsByItselfIsASuccessWhateverItsReturncode() {
        #expect(JobLifecycle.afterRun(of: job(), end: .ran(.exited(0)), killReason: nil, shuttingDown: false)
                == .finish(.success, msg: ""))
        #expect(JobLifecycle.afterRun(of: job(), end: .ran(.exited(3)), killReason: nil, shuttingDown: false)
                == .finish(.success, msg: ""))
        #expect(JobLifecycle.afterRun(of: job(), end: .ran(.signaled(9)), killReason: nil, shuttingDown: false)
                == .finish(.success, msg: ""))
    }

    @Test func aNonZeroEndWithAttemptsLeftIsRetriedAfterItsDelay() {
        let decision = JobLifecycle.afterRun(of: job(attempts: 2, retries: 2), end: .ran(.exited(1)), killReason: nil,
                                             shuttingDown: false)
        #expect(decision == .retry(msg: "attempt 2 ended with returncode 1; retrying", delay: 2.5))
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 1), end: .ran(.signaled(15)), killReason: nil,
                                      shuttingDown: false) == .retry(msg: "attempt 1 ended with returncode -15; retrying", delay: 2.5))
    }

    @Test func noRetryOnceTheAttemptsAreSpentOnSuccessOnAKillOrAtShutdown() {
        #expect(JobLifecycle.afterRun(of: job(attempts: 3, retries: 2), end: .ran(.exited(1)), killReason: nil,
                                      shuttingDown: false) == .finish(.success, msg: ""))
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 5), end: .ran(.exited(0)), killReason: nil,
                                      shuttingDown: false) == .finish(.success, msg: ""))
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 5), end: .ran(.signaled(15)), killReason: "timeout after 2 s",
                                      shuttingDown: false) == .finish(.killed, msg: "timeout after 2 s"))
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 5), end: .ran(.exited(1)), killReason: nil,
                                      shuttingDown: true) == .finish(.success, msg: ""))
    }

    @Test func aNodeFailureIsRetriedWhileAttemptsAreLeftThenKilled() {
        let failed = RunEnd.nodeFailed(.signaled(15), endedBy: "slurm: NODE_FAIL (its node n1 failed)")
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 1), end: failed, killReason: nil, shuttingDown: false)
                == .retry(msg: "attempt 1 ended with slurm: NODE_FAIL (its node n1 failed); retrying", delay: 2.5))
        #expect(JobLifecycle.afterRun(of: job(attempts: 2, retries: 1), end: failed, killReason: nil, shuttingDown: false)
                == .finish(.killed, msg: "slurm: NODE_FAIL (its node n1 failed)"))
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 1), end: failed, killReason: nil, shuttingDown: true)
                == .finish(.killed, msg: "slurm: NODE_FAIL (its node n1 failed)"))
        #expect(failed.returncode == -15)
        // An end nobody saw is killed with no returncode, whatever the retries.
        let lost = RunEnd.lost(endedBy: "slurm job 3 is gone from squeue; its end is unknown")
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 1), end: lost, killReason: nil, shuttingDown: false)
                == .finish(.killed, msg: "slurm job 3 is gone from squeue; its end is unknown"))
        #expect(lost.returncode == nil)
    }

    @Test func aJobACrashKeptFromItsClusterIsQueuedAgainOnlyWithResume() {
        let lost = RunEnd.notHandedOver(endedBy: "server restarted before Slurm took the job")
        #expect(JobLifecycle.afterRun(of: job(), end: lost, killReason: nil, shuttingDown: false, resume: true)
                == .requeue(msg: "requeued after server restart: server restarted before Slurm took the job"))
        #expect(JobLifecycle.afterRun(of: job(), end: lost, killReason: nil, shuttingDown: false, resume: false)
                == .finish(.killed, msg: "server restarted before Slurm took the job"))
        #expect(JobLifecycle.afterRun(of: job(), end: lost, killReason: "killed by /kill", shuttingDown: false, resume: true)
                == .finish(.killed, msg: "killed by /kill"))
    }

    @Test func outcomesTellZeroNonZeroKilledAndFailedApart() {
        func outcome(_ status: JobStatus, _ returncode: Int32?) -> JobOutcome? {
            var finished = job(status: status)
            finished.returncode = returncode
            return JobOutcome(finished)
        }
        #expect(outcome(.success, 0) == .zero && outcome(.success, 3) == .nonzero && outcome(.success, -9) == .nonzero)
        #expect(outcome(.killed, -15) == .killed && outcome(.failed, nil) == .failed)
        #expect(outcome(.running, nil) == nil && outcome(.queued, nil) == nil)
    }

    @Test func aClusterEndsJobsItRefusedCancelledOrStopped() {
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 5), end: .refused("sbatch: error: Invalid partition"),
                                      killReason: nil, shuttingDown: false) == .finish(.failed, msg: "sbatch: error: Invalid partition"))
        #expect(JobLifecycle.afterRun(of: job(attempts: 1, retries: 5), end: .ran(.signaled(15), endedBy: "slurm: TIMEOUT (the job's time limit)"),
                                      killReason: nil, shuttingDown: false) == .finish(.killed, msg: "slurm: TIMEOUT (the job's time limit)"))
        #expect(JobLifecycle.afterRun(of: job(), end: .cancelledBeforeStart(endedBy: "slurm: CANCELLED (not by jobsched)"),
                                      killReason: nil, shuttingDown: false) == .finish(.killed, msg: "slurm: CANCELLED (not by jobsched)"))
        #expect(JobLifecycle.afterRun(of: job(), end: .cancelledBeforeStart(endedBy: "slurm: CANCELLED"),
                                      killReason: "killed by /kill", shuttingDown: false) == .finish(.killed, msg: "killed by /kill"))
    }

    @Test func withoutResumeEveryInterruptedJobIsKilledByTheRestart() throws {
        for interrupted in [job(status: .running), job(status: .queued, attempts: 0), job(status: .queued, attempts: 0, sync: true)] {
            let settled = try #require(JobLifecycle.recovered(interrupted, resume: false, now: 500))
            #expect(settled.status == .killed)
            #expect(settled.msg == "server restarted")
            #expect(settled.finished == 500)
        }
    }

    @Test func withResumeAsyncJobsAreQueuedAgainAndSyncJobsKilled() throws {
        // A queued async job resumes as it is.
        #expect(JobLifecycle.recovered(job(status: .queued, attempts: 0), resume: true, now: 500) == nil)
        // A running async job with attempts left runs again.
        let requeued = try #require(JobLifecycle.recovered(job(status: .running, attempts: 1, retries: 1), resume: true, now: 500))
        #expect(requeued.status == .queued)
        #expect(requeued.pid == nil)
        #expect(requeued.finished == nil)
        #expect(requeued.msg == "requeued after server restart")
        // Without attempts left, or with its sync client gone, it is killed.
        for gone in [job(status: .running, attempts: 1, retries: 0), job(status: .running, attempts: 1, retries: 3, sync: true),
                     job(status: .queued, attempts: 0, sync: true)] {
            let settled = try #require(JobLifecycle.recovered(gone, resume: true, now: 500))
            #expect(settled.status == .killed)
            #expect(settled.msg == "server restarted")
        }
        // A finished job is left alone.
        #expect(JobLifecycle.recovered(job(status: .success), resume: true, now: 500) == nil)
    }

    @Test func maxQueuedCountsTheJobsThatWillWaitNotThoseTheFreeSlotsTake() {
        // No bound.
        #expect(JobLifecycle.queueHasRoom(for: 1_000, maxQueued: nil, active: 50, running: 2, limit: 2, uncommitted: 9))
        // Two slots busy, three jobs waiting, one submit in flight: four will wait.
        #expect(JobLifecycle.queueHasRoom(for: 1, maxQueued: 5, active: 5, running: 2, limit: 2, uncommitted: 1))
        #expect(!JobLifecycle.queueHasRoom(for: 2, maxQueued: 5, active: 5, running: 2, limit: 2, uncommitted: 1))
        // Three free slots take the three submits in flight: nothing waits yet.
        #expect(JobLifecycle.queueHasRoom(for: 2, maxQueued: 2, active: 1, running: 1, limit: 4, uncommitted: 3))
        #expect(!JobLifecycle.queueHasRoom(for: 3, maxQueued: 2, active: 1, running: 1, limit: 4, uncommitted: 3))
        // A bound of 0 lets nothing wait, but a job that a free slot takes at once does not wait.
        #expect(!JobLifecycle.queueHasRoom(for: 1, maxQueued: 0, active: 2, running: 2, limit: 2, uncommitted: 0))
        #expect(JobLifecycle.queueHasRoom(for: 2, maxQueued: 0, active: 0, running: 0, limit: 2, uncommitted: 0))
        #expect(!JobLifecycle.queueHasRoom(for: 3, maxQueued: 0, active: 0, running: 0, limit: 2, uncommitted: 0))
    }

    @Test func aBrokenDependencySaysHowTheDependencyEnded() {
        var dependency = job(status: .success)
        dependency.returncode = 3
        #expect(JobLifecycle.brokenDependencyMessage(dependency) == "dependency 7 ended with returncode 3")
        dependency.status = .killed
        #expect(JobLifecycle.brokenDependencyMessage(dependency) == "dependency 7 killed")
    }

    @Test func aSubmitBecomesAQueuedJobWithEverySetting() throws {
        let request = try SubmitRequest(Parameters([
            ("command", "make -j4"), ("name", "build"), ("group", "ci"), ("sync", "0"), ("priority", "5"),
            ("after", "3,4"), ("afterany", "5"), ("delay", "30"), ("timeout", "60"), ("retries", "2"),
            ("retry_delay", "1.5"), ("cwd", "/tmp"), ("env", "A=1"), ("env", "B=2"), ("outlog", "out.txt"),
        ], for: .submit))
        let job = Job(submitting: request, at: 1000)
        #expect(job.status == .queued)
        #expect(job.id == 0)
        #expect((job.command, job.name, job.group, job.sync) == ("make -j4", "build", "ci", false))
        #expect(job.priority == 5)
        #expect(job.after == [3, 4])
        #expect(job.afterAny == [5])
        #expect(job.notBefore == 1030)
        #expect(job.timeout == 60)
        #expect((job.retries, job.retryDelay, job.attempts) == (2, 1.5, 0))
        #expect(job.cwd == "/tmp")
        #expect(job.env == ["A=1", "B=2"])
        #expect(job.outlog == "out.txt")
        #expect(job.errlog == nil)
        #expect(job.submitted == 1000)

        let at = try SubmitRequest(Parameters([("command", "true"), ("at", "2026-12-03T00:00:00Z")], for: .submit))
        #expect(Job(submitting: at, at: 5).notBefore == Timestamp.parseISO8601("2026-12-03T00:00:00Z"))
        #expect(Job(submitting: at, at: 5).sync)
    }

    @Test func aRestartCopiesTheSettingsButNotTheRunOrItsOrder() {
        var old = job(status: .success, attempts: 3, retries: 2, sync: true)
        old.returncode = 1
        old.finished = 150
        old.priority = -4
        old.after = [1]
        old.afterAny = [2]
        old.notBefore = 120
        old.timeout = 9
        old.cwd = "/srv"
        old.env = ["X=y"]
        old.outlog = "o"
        old.msg = "attempt 3 ended"
        let copy = Job(copying: old, submitted: 900)
        #expect(copy.status == .queued)
        #expect(copy.id == 0)
        #expect(!copy.sync)  // a restart has no client to stream to
        #expect((copy.command, copy.name, copy.group) == (old.command, old.name, old.group))
        #expect((copy.priority, copy.timeout, copy.retries, copy.retryDelay) == (-4, 9, 2, 2.5))
        #expect((copy.cwd, copy.env, copy.outlog) == ("/srv", ["X=y"], "o"))
        #expect(copy.after.isEmpty && copy.afterAny.isEmpty && copy.notBefore == nil)
        #expect(copy.attempts == 0 && copy.returncode == nil && copy.started == nil && copy.finished == nil)
        #expect(copy.pid == nil && copy.msg.isEmpty)
        #expect(copy.submitted == 900)
    }
}
