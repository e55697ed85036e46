import Foundation
import Glibc
import Testing

/// Whether a Slurm cluster is there to run on: `test/slurm/run` starts one
/// and sets SLURM_CONF (`swift test` alone skips these tests and says why).
private let slurmConfiguration = ProcessInfo.processInfo.environment["SLURM_CONF"]

/// The real server with `--executor slurm` against a real single-node Slurm
/// cluster (test/slurm/cluster), driven with curl. One at a time: the tests
/// share the cluster's 16 CPUs, and some fill them on purpose.
@Suite("Integration: the Slurm executor", .serialized,
       .enabled(if: slurmConfiguration != nil, "needs a Slurm cluster: run bash test/slurm/run"))
struct SlurmIntegrationTests {
    /// A server on the cluster; a short poll keeps the tests quick.
    private func slurmServer(_ arguments: [String] = [], directory: ScratchDirectory? = nil) throws -> ServerProcess {
        try ServerProcess(["--executor", "slurm", "--slurm-poll", "0.2", "--kill-grace", "1"] + arguments, directory: directory)
    }

    /// Runs a job that takes all the node's 16 CPUs, until it is killed: the next jobs wait in Slurm's queue.
    private func fillTheNode(_ server: ServerProcess, mark: String) throws -> Int64 {
        let blocker = try server.submitAsync("sleep \(mark)", extra: "&cpus=16")
        #expect(eventually { (try? server.job(blocker)["slurm_state"] as? String) == "RUNNING" })
        return blocker
    }

    /// A word that marks one test's job processes, to find them in /proc.
    private func marker() -> String { "3\(UInt32.random(in: 1000...999_999)).5" }

    @Test func asyncAndSyncJobsRunOnTheNodeWithTheirOutputAndReturncode() throws {
        let server = try slurmServer()
        let ok = try server.submitAsync("echo out; echo err >&2")
        let three = try server.submitAsync("exit 3")
        let signaled = try server.submitAsync("kill -9 $$")
        #expect(server.waitFor(ok, three, signaled)
                == "job \(ok) success returncode=0\njob \(three) success returncode=3\njob \(signaled) success returncode=-9\n")
        #expect(server.curl("/output", data: "jobid=\(ok)&stream=stdout").body == "out\n")
        #expect(server.curl("/output", data: "jobid=\(ok)&stream=stderr").body == "err\n")
        let job = try server.job(ok)
        #expect(job["node"] as? String == "node1")
        #expect(job["slurm_state"] as? String == "COMPLETED")
        #expect((job["slurm_jobid"] as? NSNumber)?.intValue ?? 0 > 0)
        #expect(job["pid"] is NSNull)
        #expect(try server.job(three)["slurm_state"] as? String == "FAILED")
        // A command is never read as sbatch options.
        let directive = try server.submitAsync("#SBATCH --partition=nope\necho ran")
        #expect(server.waitFor(directive) == "job \(directive) success returncode=0\n")
        #expect(server.curl("/output", data: "jobid=\(directive)").body == "ran\n")
        // outlog is relative to the server's directory, as locally, whatever the job's cwd.
        let logged = try server.submitAsync("echo to-file; pwd", extra: "&outlog=out.txt&cwd=/tmp")
        #expect(server.waitFor(logged) == "job \(logged) success returncode=0\n")
        #expect(try String(contentsOfFile: server.directory.file("out.txt"), encoding: .utf8) == "to-file\n/tmp\n")
        // A retry's Slurm job is named for its attempt, so it is never taken for the attempt before.
        let retried = try server.submitAsync("exit 5", extra: "&retries=1")
        #expect(server.waitFor(retried) == "job \(retried) success returncode=5\n")
        let lastAttempt = try #require(try server.job(retried)["slurm_jobid"] as? NSNumber).stringValue
        #expect(try slurmToolOutput(["squeue", "-h", "--states=all", "-j", lastAttempt, "-o", "%j"]).hasSuffix("-\(retried).2"))

        // Sync: srun is the server's child; the output streams, then the status line.
        let sync = server.curl("/submit", extra: ["--data-urlencode", "command=echo one; echo \"$SLURM_JOB_NAME\" >&2; exit 4"])
        let lines = sync.body.split(separator: "\n").map(String.init)
        // srun forwards stdout and stderr apart: their order between them is not kept.
        #expect(lines.contains("one") && lines.contains { $0.hasPrefix("jobsched-") }, "\(sync.body)")
        #expect(lines.last?.hasSuffix(" success returncode=4") == true, "\(sync.body)")
        let syncID = Int64(lines[0]) ?? 0
        #expect(try server.job(syncID)["slurm_state"] as? String == "FAILED")
        let syncSignaled = server.curl("/submit", extra: ["--data-urlencode", "command=kill -TERM $$"])
        #expect(syncSignaled.body.hasSuffix(" success returncode=-15\n"), "\(syncSignaled.body)")
    }

    @Test func optionsReachSlurmAndARefusedJobFailsWithSlurmsReason() throws {
        let server = try slurmServer(["--slurm-partition", "debug"])
        let small = try server.submitAsync("echo \"$SLURM_JOB_PARTITION $SLURM_CPUS_PER_TASK\"", extra: "&partition=small&cpus=2")
        let byDefault = try server.submitAsync("echo \"$SLURM_JOB_PARTITION\"")
        _ = server.waitFor(small, byDefault)
        #expect(server.curl("/output", data: "jobid=\(small)").body == "small 2\n")
        #expect(server.curl("/output", data: "jobid=\(byDefault)").body == "debug\n")

        let badPartition = try server.submitAsync("true", extra: "&partition=nope")
        let tooMany = try server.submitAsync("true", extra: "&cpus=999")
        #expect(server.waitFor(badPartition, tooMany) == "job \(badPartition) failed returncode=-\njob \(tooMany) failed returncode=-\n")
        #expect((try server.job(badPartition)["msg"] as? String)?.contains("Invalid partition name specified") == true)
        #expect((try server.job(tooMany)["msg"] as? String)?.contains("More processors requested than permitted") == true)
        let syncRefused = server.curl("/submit", data: "command=true&partition=nope")
        #expect(syncRefused.body.hasSuffix(" failed returncode=-\n"), "\(syncRefused.body)")
        // More memory than the node has: Slurm lists the job FAILED (BadConstraints) without a node, and it never ran.
        let tooMuch = server.curl("/submit", data: "command=echo never&mem=9000M")
        #expect(tooMuch.body.hasSuffix(" failed returncode=-\n") && !tooMuch.body.contains("never\n"), "\(tooMuch.body)")
        let tooMuchID = try #require(Int64(tooMuch.lines.first ?? ""))
        let refusal = try server.job(tooMuchID)
        #expect((refusal["msg"] as? String)?.contains("Memory specification can not be satisfied") == true, "\(refusal)")
        #expect(refusal["returncode"] is NSNull && refusal["started"] is NSNull)
        let client = try ClientProcess.run(["run", "--mem", "9000M", "--", "true"], server: server)
        #expect(client.status == 126 && client.stderr.contains("failed"), "\(client)")

        let bad = server.curl("/submit", data: "command=true&mem=4GB")
        #expect(bad.status == 400 && bad.body == "Error: mem must be a size such as 500M, 4G or 1T (K, M, G, T: powers of 1024; a bare number is megabytes), e.g. mem=4G; got '4GB'\n")
        let local = try ServerProcess()
        let refused = local.curl("/submit", data: "command=true&partition=debug")
        #expect(refused.status == 400 && refused.body.contains("need a server started with --executor slurm"))
    }

    @Test func killEndsPendingAndRunningJobsOnTheCluster() throws {
        let server = try slurmServer()
        let mark = marker()
        // The node has 16 CPUs: the first job takes them all, the second waits.
        let running = try server.submitAsync("trap '' TERM; sleep \(mark)", extra: "&cpus=16")
        let pending = try server.submitAsync("sleep \(mark)", extra: "&cpus=16")
        #expect(eventually { (try? server.job(running)["slurm_state"] as? String) == "RUNNING" })
        #expect(eventually { !jobProcesses(containing: mark).isEmpty })
        #expect(try server.job(pending)["slurm_state"] as? String == "PENDING")

        server.curl("/kill", data: "jobid=\(pending)")
        #expect(server.waitFor(pending) == "job \(pending) killed returncode=-\n")
        #expect(try server.job(pending)["slurm_state"] as? String == "CANCELLED")
        // SIGTERM is ignored: Slurm kills it after the cluster's KillWait (2 s here).
        server.curl("/kill", data: "jobid=\(running)")
        try expectCancelled(running, on: server, msg: "killed by /kill", processesMarked: mark)
    }

    /// Slurm records a job jobsched ends as CANCELLED, as `scancel` would, not
    /// as FAILED (a batch shell or srun ended by a signal of jobsched's own).
    @Test func aKilledJobIsCancelledInSlurmsRecords() throws {
        let server = try slurmServer()
        let mark = marker()
        let async = try server.submitAsync("echo started; sleep \(mark)")
        #expect(eventually { (try? server.job(async)["slurm_state"] as? String) == "RUNNING" })
        #expect(eventually { server.curl("/output", data: "jobid=\(async)").body == "started\n" })
        server.curl("/kill", data: "jobid=\(async)")
        try expectCancelled(async, on: server, msg: "killed by /kill", processesMarked: mark)
        #expect(try server.job(async)["returncode"] as? NSNumber == -15)
        #expect(try slurmAccounting(of: server.job(async)) == "CANCELLED")

        let syncMark = marker()
        let client = try StreamingCurl(["--data-urlencode", "command=echo started; sleep \(syncMark)", "\(server.base)/submit"])
        let sync = Int64(client.nextLine() ?? "") ?? 0
        #expect(client.nextLine() == "started")
        #expect(eventually { (try? server.job(sync)["slurm_state"] as? String) == "RUNNING" })
        server.curl("/kill", data: "jobid=\(sync)")
        #expect(client.remainingLines().last?.hasPrefix("jobsched: job \(sync) killed returncode=") == true)
        try expectCancelled(sync, on: server, msg: "killed by /kill", processesMarked: syncMark)
        #expect(try slurmAccounting(of: server.job(sync)) == "CANCELLED")

        let timed = try server.submitAsync("sleep \(mark)", extra: "&timeout=2")
        #expect(server.waitFor(timed) == "job \(timed) killed returncode=-15\n")
        #expect(try server.job(timed)["slurm_state"] as? String == "CANCELLED")
        #expect(try slurmAccounting(of: server.job(timed)) == "CANCELLED")
    }

    /// The job ends `killed` with `msg`, Slurm says CANCELLED, and none of its processes is left.
    private func expectCancelled(_ id: Int64, on server: ServerProcess, msg: String, processesMarked mark: String) throws {
        #expect(server.waitFor(id).hasPrefix("job \(id) killed returncode="))
        let job = try server.job(id)
        #expect(job["slurm_state"] as? String == "CANCELLED")
        #expect(job["msg"] as? String == msg)
        #expect(eventually { jobProcesses(containing: mark).isEmpty })
    }

    @Test func aSyncClientThatLeavesCancelsItsJobAndATimeoutKillsOne() throws {
        let server = try slurmServer()
        let mark = marker()
        let client = try StreamingCurl(["--data-urlencode", "command=echo started; sleep \(mark)", "\(server.base)/submit"])
        let id = Int64(client.nextLine() ?? "") ?? 0
        #expect(client.nextLine() == "started")
        #expect(eventually { !jobProcesses(containing: mark).isEmpty })
        client.killClient()
        #expect(server.waitFor(id).hasPrefix("job \(id) killed returncode="))
        #expect(eventually { jobProcesses(containing: mark).isEmpty })

        let timed = try server.submitAsync("sleep \(mark)", extra: "&timeout=2")
        #expect(server.waitFor(timed) == "job \(timed) killed returncode=-15\n")
        #expect(try server.job(timed)["msg"] as? String == "timeout after 2 s")
        #expect(eventually { jobProcesses(containing: mark).isEmpty })
    }

    /// A job waiting in Slurm's queue has not started: its timeout counts from
    /// the moment Slurm runs it, and meanwhile `started` and `runtime` are empty.
    @Test func aTimeoutCountsFromTheRunNotFromTheWaitInSlurmsQueue() throws {
        let server = try slurmServer()
        let mark = marker()
        let blocker = try fillTheNode(server, mark: mark)
        let quick = try server.submitAsync("echo ran", extra: "&timeout=2")
        let slow = try server.submitAsync("sleep \(mark)", extra: "&timeout=2")
        #expect(eventually { (try? server.job(slow)["slurm_state"] as? String) == "PENDING" })
        // Longer than their timeout in Slurm's queue: /wait gives up before either ends.
        let waited = server.curl("/wait", data: "jobid=\(quick),\(slow)&timeout=4")
        #expect(!waited.body.contains("killed"), "\(waited.body)")
        for id in [quick, slow] {
            let job = try server.job(id)
            #expect(job["status"] as? String == "running" && job["slurm_state"] as? String == "PENDING")
            #expect(job["started"] is NSNull && job["runtime"] is NSNull)
        }
        server.curl("/kill", data: "jobid=\(blocker)")
        #expect(server.waitFor(quick) == "job \(quick) success returncode=0\n")
        #expect(server.curl("/output", data: "jobid=\(quick)").body == "ran\n")
        // The slow one runs its 2 s, and no more. Slurm reports the SIGTERM it was stopped
        // with, or (now and then, when the batch shell exits on it first) the shell's 143.
        let ended = server.waitFor(slow)
        #expect(ended == "job \(slow) killed returncode=-15\n" || ended == "job \(slow) killed returncode=143\n", "\(ended)")
        let timedOut = try server.job(slow)
        #expect(timedOut["msg"] as? String == "timeout after 2 s")
        let runtime = try #require(seconds(timedOut["runtime"]))
        #expect(runtime >= 2 && runtime < 4, "runtime \(runtime)")
        #expect(eventually { jobProcesses(containing: mark).isEmpty })
    }

    /// Why Slurm holds a pending job is shown: `slurm_reason`, `msg`, `fields=`, `jobsched show`.
    @Test func aPendingJobShowsWhySlurmHoldsIt() throws {
        let server = try slurmServer()
        let mark = marker()
        let blocker = try fillTheNode(server, mark: mark)
        let waiting = try server.submitAsync("echo ran")
        #expect(eventually { (try? server.job(waiting)["slurm_reason"] as? String) == "Resources" })
        #expect(try server.job(waiting)["msg"] as? String == "pending in Slurm: Resources")
        #expect(server.curl("/jobinfo", data: "jobid=\(waiting)&fields=jobid,slurm_reason").body.contains("Resources"))
        let shown = try ClientProcess.run(["show", String(waiting)], server: server)
        #expect(shown.status == 0 && shown.stdout.contains("Resources"), "\(shown)")
        // Held: Slurm's new reason comes with the next poll.
        let slurmJobID = try #require(try server.job(waiting)["slurm_jobid"] as? NSNumber).stringValue
        #expect(try slurmTool(["scontrol", "hold", slurmJobID]) == 0)
        // (JobHeldAdmin when the tests run as root, Slurm's administrator; JobHeldUser otherwise.)
        #expect(eventually { (try? server.job(waiting)["msg"] as? String)?.hasPrefix("pending in Slurm: JobHeld") == true })
        #expect(try slurmTool(["scontrol", "release", slurmJobID]) == 0)
        server.curl("/kill", data: "jobid=\(blocker)")
        #expect(server.waitFor(waiting) == "job \(waiting) success returncode=0\n")
        let done = try server.job(waiting)
        #expect(done["msg"] is NSNull && done["slurm_reason"] is NSNull, "\(done)")
        #expect(eventually { jobProcesses(containing: mark).isEmpty })
    }

    @Test func followStreamsAnAsyncJobWhileItRunsOnTheNode() throws {
        let server = try slurmServer()
        let gate = try server.makeGate()
        let id = try server.submitAsync("echo before; echo oops >&2; cat \(gate.path); echo after")
        let follower = try StreamingCurl(["\(server.base)/output?jobid=\(id)&follow=1&stream=stdout"])
        #expect(follower.nextLine() == "before")
        try gate.open("go")
        #expect(follower.remainingLines() == ["go", "after", "jobsched: job \(id) success returncode=0"])
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
        #expect(server.curl("/output", data: "jobid=\(id)&stream=stderr").body == "oops\n")
    }

    @Test func aJobSlurmEndsItselfIsKilledWithSlurmsReason() throws {
        let server = try slurmServer()
        let mark = marker()
        let id = try server.submitAsync("sleep \(mark)")
        #expect(eventually { (try? server.job(id)["slurm_state"] as? String) == "RUNNING" })
        let slurmJobID = try #require(try server.job(id)["slurm_jobid"] as? NSNumber)
        #expect(try slurmTool(["scancel", slurmJobID.stringValue]) == 0)
        try expectCancelled(id, on: server, msg: "slurm: CANCELLED (not by jobsched)", processesMarked: mark)
    }

    /// A node that fails under its jobs: Slurm does not run them again behind
    /// jobsched's back (--no-requeue); they end `killed` with Slurm's reason,
    /// and `retries=` runs one again as an attempt of jobsched's own.
    @Test func jobsWhoseNodeFailsEndAndOnlyRetriesRunThemAgain() throws {
        let server = try slurmServer()
        let mark = marker()
        let runs = server.directory.file("runs")
        let plain = try server.submitAsync("echo plain >> \(runs); sleep \(mark)")
        let retried = try server.submitAsync("echo retried >> \(runs); [ -e \(runs).again ] || { touch \(runs).again; sleep \(mark); }",
                                             extra: "&retries=1")
        #expect(eventually { (try? server.job(plain)["slurm_state"] as? String) == "RUNNING" })
        #expect(eventually { (try? server.job(retried)["slurm_state"] as? String) == "RUNNING" })
        #expect(eventually { jobProcesses(containing: mark).count == 2 })
        defer { bringNodeBack() }
        #expect(try slurmTool(["scontrol", "update", "nodename=node1", "state=down", "reason=jobsched-test"]) == 0)
        #expect(server.waitFor(plain).hasPrefix("job \(plain) killed returncode="))
        #expect(try server.job(plain)["msg"] as? String == "slurm: NODE_FAIL (its node node1 failed)")
        #expect(try server.job(plain)["slurm_state"] as? String == "NODE_FAIL")
        bringNodeBack()
        // The retry is jobsched's: a second attempt, under a Slurm job of its own.
        #expect(server.waitFor(retried) == "job \(retried) success returncode=0\n")
        #expect(try server.job(retried)["attempts"] as? NSNumber == 2)
        // Slurm ran neither again by itself: the plain job ran once, the retried one twice (its retry).
        #expect(try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n").sorted() == ["plain", "retried", "retried"])
        let plainSlurmID = try #require(try server.job(plain)["slurm_jobid"] as? NSNumber).stringValue
        #expect(try slurmToolOutput(["squeue", "-h", "--states=all", "-j", plainSlurmID, "-o", "%T"]) == "NODE_FAIL")
        #expect(eventually { jobProcesses(containing: mark).isEmpty })
    }

    /// squeue fails while the controller is down: logged and retried, and no job ends for it;
    /// a kill meanwhile is sent again until the controller takes it.
    @Test func aControllerThatIsDownForAWhileEndsNoJob() throws {
        let server = try slurmServer()
        let mark = marker()
        let id = try server.submitAsync("sleep 2; echo done; exit 2")
        let killed = try server.submitAsync("sleep \(mark)")
        #expect(eventually { (try? server.job(id)["slurm_state"] as? String) == "RUNNING" })
        #expect(eventually { (try? server.job(killed)["slurm_state"] as? String) == "RUNNING" })
        let configuration = try #require(slurmConfiguration)
        let controller = try controllerPID()
        // SIGTERM: the controller saves its state, and takes the job's end from slurmd when it is back.
        kill(controller, SIGTERM)
        #expect(eventually { kill(controller, 0) != 0 })
        // The other tests need it back, also when this one fails.
        var isBack = false
        defer { if !isBack { _ = try? slurmTool(["slurmctld", "-f", configuration]) } }
        // A job submitted meanwhile waits for the controller and tries again.
        let later = try server.submitAsync("echo later")
        #expect(eventually(timeout: 60) { server.log.contains("squeue failed") })
        #expect(eventually(timeout: 60) { server.log.contains("job \(later): sbatch failed (try 1;") })
        #expect(server.curl("/health", extra: ["-m", "5"]).status == 200)
        #expect(try server.job(id)["status"] as? String == "running")
        #expect(try server.job(later)["status"] as? String == "running")
        server.curl("/kill", data: "jobid=\(killed)")
        #expect(eventually(timeout: 60) { server.log.contains("scancel failed (1 in a row;") })

        #expect(try slurmTool(["slurmctld", "-f", configuration]) == 0)
        isBack = true
        #expect(server.waitFor(id) == "job \(id) success returncode=2\n")
        #expect(server.curl("/output", data: "jobid=\(id)").body == "done\n")
        #expect(server.log.contains("squeue answers again"))
        #expect(server.waitFor(later) == "job \(later) success returncode=0\n")
        #expect(server.curl("/output", data: "jobid=\(later)").body == "later\n")
        try expectCancelled(killed, on: server, msg: "killed by /kill", processesMarked: mark)
    }

    /// sbatch times out against a frozen controller, which takes the job once
    /// it thaws: the job is found by its name, not submitted again, and runs once.
    @Test func anSbatchThatGetsNoAnswerIsLookedUpAndTheJobRunsOnce() throws {
        let server = try slurmServer()
        let runs = server.directory.file("runs")
        let controller = try controllerPID()
        kill(controller, SIGSTOP)
        var isFrozen = true
        defer { if isFrozen { kill(controller, SIGCONT) } }
        let ids = try (1...4).map { n in try server.submitAsync("echo \(n) >> \(runs)") }
        // The first two sbatch give up after the cluster's MessageTimeout (10 s); the frozen controller has their requests.
        #expect(eventually(timeout: 60) {
            server.log.contains("job \(ids[0]): sbatch") && server.log.contains("job \(ids[1]): sbatch")
        })
        #expect(server.log.contains("Socket timed out"))
        kill(controller, SIGCONT)
        isFrozen = false
        #expect(server.waitFor(ids[0], ids[1], ids[2], ids[3]) == ids.map { "job \($0) success returncode=0\n" }.joined())
        // Every Slurm job of these names has ended, and there is one for each job: the one jobsched tracked.
        var names: [String] = []
        for id in ids {
            let slurmJobID = try #require(try server.job(id)["slurm_jobid"] as? NSNumber).stringValue
            let name = try slurmToolOutput(["squeue", "-h", "--states=all", "-j", slurmJobID, "-o", "%j"])
            names.append(name)
            #expect(try slurmToolOutput(["squeue", "-h", "--states=all", "--me", "-n", name, "-o", "%i"]) == slurmJobID, "job \(id)")
        }
        #expect(eventually { (try? slurmToolOutput(["squeue", "-h", "--me", "-n", names.joined(separator: ","), "-o", "%i"])) == "" })
        let lines = try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n").sorted()
        #expect(lines == ["1", "2", "3", "4"])
        #expect(server.log.contains("its sbatch reached Slurm after all"))
    }

    @Test func dependenciesAndGroupLimitsOrderTheHandoff() throws {
        let server = try slurmServer()
        #expect(server.curl("/group", data: "name=one&limit=1").status == 200)
        let file = server.directory.file("order")
        let ids = try (1...3).map { n in
            try server.submitAsync("echo start \(n) >> \(file); sleep 0.3; echo end \(n) >> \(file)", extra: "&group=one")
        }
        let failing = try server.submitAsync("exit 1")
        let dependent = try server.submitAsync("echo never", extra: "&after=\(failing)")
        let afterAny = try server.submitAsync("echo ran", extra: "&afterany=\(failing)")
        _ = server.waitFor(ids[0], ids[1], ids[2], failing, dependent, afterAny)
        // One at a time in the group: each ends before the next starts.
        #expect(try String(contentsOfFile: file, encoding: .utf8)
                == "start 1\nend 1\nstart 2\nend 2\nstart 3\nend 3\n")
        let broken = try server.job(dependent)
        #expect(broken["status"] as? String == "killed" && broken["slurm_jobid"] is NSNull)
        #expect(broken["msg"] as? String == "dependency \(failing) ended with returncode 1")
        #expect(server.curl("/output", data: "jobid=\(afterAny)").body == "ran\n")
    }

    @Test func aRestartAfterKill9RecordsTheRealEndOfTheClusterJobs() throws {
        let directory = try ScratchDirectory()
        let gate = directory.file("gate")
        let quickGate = directory.file("quick-gate")
        let first = try slurmServer(directory: directory)
        let waiting = try first.submitAsync("while [ ! -e \(gate) ]; do sleep 0.1; done; echo through; exit 6")
        // Held until the first server is gone, so that it surely ends while no server runs.
        let quick = try first.submitAsync("while [ ! -e \(quickGate) ]; do sleep 0.1; done; echo quick")
        let mark = marker()
        let timed = try first.submitAsync("sleep \(mark)", extra: "&timeout=4")
        #expect(eventually { (try? first.job(waiting)["slurm_state"] as? String) == "RUNNING" })
        #expect(eventually { (try? first.job(quick)["slurm_state"] as? String) == "RUNNING" })
        #expect(eventually { (try? first.job(timed)["slurm_state"] as? String) == "RUNNING" })
        let syncMark = marker()
        let syncClient = try StreamingCurl(["--data-urlencode", "command=echo started; sleep \(syncMark)", "\(first.base)/submit"])
        let sync = Int64(syncClient.nextLine() ?? "") ?? 0
        #expect(syncClient.nextLine() == "started")
        #expect(eventually { (try? first.job(sync)["slurm_state"] as? String) == "RUNNING" })
        _ = first.stop(signal: SIGKILL)
        _ = FileManager.default.createFile(atPath: quickGate, contents: nil)
        // A job recorded as running whose sbatch never ran (a crash in between).
        let lost = Int64(try sqlite3(first.databasePath, """
            INSERT INTO jobs (name, grp, command, status, sync, submitted, started, attempts)
            VALUES ('lost', 'default', 'true', 'running', 0, 1, 1, 1) RETURNING id
            """).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        // A job whose Slurm job is no longer listed (past MinJobAge).
        let forgotten = Int64(try sqlite3(first.databasePath, """
            INSERT INTO jobs (name, grp, command, status, sync, submitted, started, attempts, slurm_jobid, node, slurm_state)
            VALUES ('forgotten', 'default', 'true', 'running', 0, 1, 1, 1, 99999999, 'node1', 'RUNNING') RETURNING id
            """).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0

        // `quick` ends while no server runs; `waiting` goes on until the gate opens.
        let second = try slurmServer(directory: directory)
        #expect(try second.job(waiting)["status"] as? String == "running")
        #expect(second.log.contains("6 jobs of the previous run still on the cluster"))
        #expect(second.waitFor(lost) == "job \(lost) killed returncode=-\n")
        #expect(try second.job(lost)["msg"] as? String == "server restarted before Slurm took the job")
        // Its end is not known: no made-up returncode, and Slurm's state says so.
        #expect(second.waitFor(forgotten) == "job \(forgotten) killed returncode=-\n")
        let gone = try second.job(forgotten)
        #expect(gone["slurm_state"] as? String == "UNKNOWN")
        #expect(gone["msg"] as? String == "slurm job 99999999 is gone from squeue (last seen RUNNING); its end is unknown")
        // The sync job's client went with the first server: cancelled, it ends with Slurm's word on it.
        #expect(second.waitFor(sync).hasPrefix("job \(sync) killed returncode="))
        let leftover = try second.job(sync)
        #expect(leftover["msg"] as? String == "server restarted" && leftover["slurm_state"] as? String == "CANCELLED", "\(leftover)")
        #expect(eventually { jobProcesses(containing: syncMark).isEmpty })
        #expect(second.waitFor(quick) == "job \(quick) success returncode=0\n")
        #expect(second.curl("/output", data: "jobid=\(quick)").body == "quick\n")
        // What was left of its timeout still ends it.
        #expect(second.waitFor(timed) == "job \(timed) killed returncode=-15\n")
        #expect(try second.job(timed)["msg"] as? String == "timeout after 4 s")
        #expect(eventually { jobProcesses(containing: mark).isEmpty })
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        #expect(second.waitFor(waiting) == "job \(waiting) success returncode=6\n")
        #expect(second.curl("/output", data: "jobid=\(waiting)").body == "through\n")
        #expect(try second.job(waiting)["slurm_state"] as? String == "FAILED")
    }

    /// What the previous run of the server had read of a job's output is not
    /// read again after a restart: the output goes on from there.
    @Test func anAdoptedJobsOutputGoesOnWithNothingReadTwice() throws {
        let directory = try ScratchDirectory()
        let gate = directory.file("gate")
        let first = try slurmServer(directory: directory)
        let id = try first.submitAsync("""
            for i in 1 2 3; do echo out-$i; echo err-$i >&2; done
            while [ ! -e \(gate) ]; do sleep 0.1; done
            for i in 4 5; do echo out-$i; echo err-$i >&2; done
            """)
        #expect(eventually { first.curl("/output", data: "jobid=\(id)&stream=stdout").body == "out-1\nout-2\nout-3\n" })
        #expect(eventually { first.curl("/output", data: "jobid=\(id)&stream=stderr").body == "err-1\nerr-2\nerr-3\n" })
        _ = first.stop(signal: SIGKILL)

        let second = try slurmServer(directory: directory)
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        #expect(second.waitFor(id) == "job \(id) success returncode=0\n")
        #expect(second.curl("/output", data: "jobid=\(id)&stream=stdout").body == "out-1\nout-2\nout-3\nout-4\nout-5\n")
        #expect(second.curl("/output", data: "jobid=\(id)&stream=stderr").body == "err-1\nerr-2\nerr-3\nerr-4\nerr-5\n")
        let both = second.curl("/output", data: "jobid=\(id)").body.split(separator: "\n")
        #expect(both.count == 10 && Set(both).count == 10, "\(both)")
    }

    /// A crash while jobs wait for their turn to run sbatch: with --resume they
    /// go back to the queue and run, each once, as queued jobs do. (The frozen
    /// controller holds the two sbatch under way, which deliver their jobs later:
    /// those are found by their names, not submitted again.)
    @Test func withResumeJobsACrashCaughtBeforeTheirHandoffRunAfterTheRestart() throws {
        let directory = try ScratchDirectory()
        let runs = directory.file("runs")
        let first = try slurmServer(["--resume"], directory: directory)
        let controller = try controllerPID()
        kill(controller, SIGSTOP)
        var isFrozen = true
        defer { if isFrozen { kill(controller, SIGCONT) } }
        let commands = (1...20).map { "echo \($0) >> \(runs)" }
        let file = directory.file("batch")
        _ = FileManager.default.createFile(atPath: file, contents: Data((commands.joined(separator: "\n") + "\n").utf8))
        let reply = Curl.run(["--data-binary", "@\(file)", "\(first.base)/submit?lines=1&sync=0"])
        let ids = reply.lines.compactMap(Int64.init)
        #expect(ids.count == 20, "\(reply)")
        #expect(eventually { (try? sqlite3(first.databasePath, "SELECT count(*) FROM jobs WHERE status = 'running'")) == "20\n" })
        _ = first.stop(signal: SIGKILL)

        let second = try slurmServer(["--resume"], directory: directory)
        #expect(second.log.contains("20 jobs of the previous run still on the cluster"))
        kill(controller, SIGCONT)
        isFrozen = false
        for id in ids {
            #expect(second.waitFor(id) == "job \(id) success returncode=0\n")
        }
        // Each ran once: none was lost, none was handed to Slurm twice.
        let lines = try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }.sorted()
        #expect(lines == Array(1...20))
        #expect(try sqlite3(second.databasePath, "SELECT DISTINCT attempts FROM jobs") == "1\n")
        #expect(second.log.contains("requeued after server restart: server restarted before Slurm took the job"))
    }

    @Test func shutdownCancelsTheClusterJobsAndEventsAreAsLocally() throws {
        let server = try slurmServer()
        let events = try EventStreamClient(server)
        #expect(events.waitUntilConnected())
        let mark = marker()
        let done = try server.submitAsync("true")
        #expect(server.waitFor(done) == "job \(done) success returncode=0\n")
        let seen = events.events { $0.name == "finished" }
        #expect(seen.filter { $0.name != "placed" }.map(\.summary)
                == ["submitted \(done)", "started \(done)", "finished \(done) success"])
        // What the cluster says comes as `placed`: its Slurm id, then its run begun on the node.
        let placed = seen.filter { $0.name == "placed" }
        #expect(placed.first?.data["slurm_jobid"] is NSNumber && placed.first?.data["started"] is NSNull)
        #expect(placed.last?.data["node"] as? String == "node1" && placed.last?.data["started"] is String)

        let long = try server.submitAsync("sleep \(mark)")
        #expect(eventually { !jobProcesses(containing: mark).isEmpty })
        #expect(server.curl("/shutdown").status == 200)
        #expect(server.waitForExit() == 0)
        #expect(eventually { jobProcesses(containing: mark).isEmpty })
        #expect(try sqlite3(server.databasePath, "SELECT status, msg FROM jobs WHERE id = \(long)") == "killed|server shutdown\n")
    }
}

/// Runs a Slurm command-line tool (found in PATH) to its end: its exit status.
private func slurmTool(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// A duration of the JSON form: a number of seconds, or one in a string.
private func seconds(_ value: Any?) -> Double? {
    (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init)
}

/// Puts the node back in service after a test set it down (the cluster's
/// ReturnToService may have done so already), and waits until it is idle.
private func bringNodeBack() {
    let state = { (try? slurmToolOutput(["sinfo", "-h", "-n", "node1", "-o", "%T"])) ?? "" }
    if state() != "idle" { _ = try? slurmTool(["scontrol", "update", "nodename=node1", "state=resume"]) }
    _ = eventually { state() == "idle" }
}

/// The pid of the cluster's slurmctld, from its pid file beside the configuration.
private func controllerPID() throws -> Int32 {
    let configuration = try #require(slurmConfiguration)
    let pidFile = URL(fileURLWithPath: configuration).deletingLastPathComponent().appendingPathComponent("slurmctld.pid").path
    return try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
}

/// The state Slurm's records keep for the job (what `sacct` shows its users),
/// from the cluster's job completion file (the test cluster has no slurmdbd).
private func slurmAccounting(of job: [String: Any]) throws -> String {
    let slurmJobID = try #require(job["slurm_jobid"] as? NSNumber)
    var state = ""
    // Slurm writes the record once the job has left COMPLETING.
    _ = eventually {
        state = (try? slurmToolOutput(["sacct", "-c", "-n", "-X", "-o", "State", "-j", slurmJobID.stringValue])) ?? ""
        return !state.isEmpty
    }
    return state
}

/// Runs a Slurm command-line tool to its end: its stdout, trimmed.
private func slurmToolOutput(_ arguments: [String]) throws -> String {
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Processes whose command line holds `word` (the cluster's node is this machine).
private func jobProcesses(containing word: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ").contains("sleep \(word)")
    }
}
