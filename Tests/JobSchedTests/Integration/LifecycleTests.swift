import Foundation
import Glibc
import Testing

@Suite("Integration: start-up, restart and shutdown")
struct LifecycleIntegrationTests {
    @Test func restartMarksInterruptedJobsKilledAndNeverReusesIds() throws {
        let directory = try ScratchDirectory()
        let first = try ServerProcess(["-j", "1"], directory: directory)
        let running = try first.submitAsync("sleep 300")
        let queued = try first.submitAsync("sleep 300")
        let pid = try first.pidOnceRunning(running)
        first.stop(signal: SIGKILL)  // a crash: no chance to clean up
        #expect(processes(inGroup: pid).count == 1)  // the job outlived the server...

        let second = try ServerProcess(directory: directory)
        #expect(eventually { processes(inGroup: pid).isEmpty })  // ...until the restart found it
        for id in [running, queued] {
            let job = try second.job(id)
            #expect(job["status"] as? String == "killed")
            #expect(job["msg"] as? String == "server restarted")
        }
        let next = try second.submitAsync("true")
        #expect(next > queued)
        second.stop()

        // --clear starts again from an empty table.
        let cleared = try ServerProcess(["--clear"], directory: directory)
        #expect(cleared.curl("/jobinfo", data: "all=1").lines.count == 1)
        #expect(try cleared.submitAsync("true") == 1)
    }

    /// After a crash the restart finds job processes by the mark in their
    /// environment, so a job just started (its state maybe not yet committed)
    /// is found too; a daemon a job started with setsid is left, as always.
    @Test func crashOrphansAreFoundByTheirEnvironment() throws {
        let directory = try ScratchDirectory()
        let first = try ServerProcess(["-j", "2"], directory: directory)
        let daemonFile = directory.file("daemon.pid")
        let job = try first.submitAsync("sleep 300")
        let starter = try first.submitAsync("setsid sleep 301 & echo $! > \(daemonFile); sleep 302")
        let groups = [try first.pidOnceRunning(job), try first.pidOnceRunning(starter)]
        var daemon: Int32?
        #expect(eventually {
            daemon = (try? String(contentsOfFile: daemonFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return daemon != nil
        })
        // (Killed also if the test fails before this line: see ScratchDirectory.)
        defer { if let daemon { kill(daemon, SIGKILL) } }
        let environment = try String(contentsOfFile: "/proc/\(groups[0])/environ", encoding: .utf8).split(separator: "\0")
        #expect(environment.contains("JOBSCHED_JOB_ID=\(job)"))
        #expect(environment.contains { $0.hasPrefix("JOBSCHED_DATABASE=/") && $0.hasSuffix(".sqlite") })
        first.stop(signal: SIGKILL)

        let second = try ServerProcess(directory: directory)
        for group in groups { #expect(eventually { processes(inGroup: group).isEmpty }) }
        #expect(kill(try #require(daemon), 0) == 0)  // its own session: not the job's to kill
        #expect(second.log.contains("killed process group \(groups[0]) left by the previous run (job \(job))"))
        second.stop()
    }

    /// SIGHUP (the terminal of `jobsched &` closing) is a graceful shutdown too: no job outlives the server.
    @Test(arguments: ["/shutdown", "SIGINT", "SIGTERM", "SIGHUP"])
    func shutdownKillsEverythingAndAnswersEveryone(trigger: String) throws {
        let directory = try ScratchDirectory()
        let server = try ServerProcess(["-j", "2", "--kill-grace", "1"], directory: directory)
        let stubborn = try server.submitAsync("trap '' TERM; sleep 300 & sleep 301")
        let syncClient = try StreamingCurl(["--data-urlencode", "command=echo up; sleep 302", "\(server.base)/submit"])
        let syncID = try #require(Int64(syncClient.nextLine() ?? ""))
        #expect(syncClient.nextLine() == "up")
        let queued = try server.submitAsync("echo never")
        let waiter = try StreamingCurl(["--data", "jobid=\(stubborn),\(queued)", "\(server.base)/wait"])
        let groups = [try server.pidOnceRunning(stubborn), try server.pidOnceRunning(syncID)]

        switch trigger {
        case "/shutdown": #expect(server.curl("/shutdown").body == "Shutting down server\n")
        case "SIGINT": kill(server.pid, SIGINT)
        case "SIGHUP": kill(server.pid, SIGHUP)
        default: kill(server.pid, SIGTERM)
        }
        #expect(server.waitForExit() == 0)
        for pgid in groups { #expect(processes(inGroup: pgid).isEmpty) }
        #expect(syncClient.remainingLines() == ["jobsched: job \(syncID) killed returncode=-15"])
        let waited = waiter.remainingLines()
        #expect(waited.count == 2 && waited.allSatisfy { $0.contains(" killed returncode=") })
        // New connections are refused.
        #expect(Curl.run(["-m", "10", "\(server.base)/help"]).exitCode == 7)

        let after = try ServerProcess(directory: directory)
        for id in [stubborn, syncID, queued] {
            #expect(try after.job(id)["msg"] as? String == "server shutdown")
        }
    }

    /// Queued jobs end at a shutdown in one pass in memory, and are marked in
    /// the store a page at a time (20,000 jobs: 40 pages): every waiter and
    /// sync client still gets each end, and the log says it once.
    @Test func shutdownWithManyQueuedJobsAnswersEveryone() throws {
        let directory = try ScratchDirectory()
        let server = try ServerProcess(["-j", "1"], directory: directory)
        let blocker = try server.submitAsync("sleep 300")
        let count = 20_000
        let batch = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", String(repeating: "true\n", count: count)])
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(ids.count == count)
        let syncClient = try StreamingCurl(["--data-urlencode", "command=echo never", "\(server.base)/submit"])
        let syncID = try #require(Int64(syncClient.nextLine() ?? ""))
        _ = try server.pidOnceRunning(blocker)
        let sockets = server.socketCount
        let waiter = try StreamingCurl(["--data", "group=default", "\(server.base)/wait"])
        let follower = try StreamingCurl(["\(server.base)/output?jobid=\(ids[5])&follow=1"])
        #expect(eventually { server.socketCount == sockets + 2 }, "the wait and the follower were never accepted")
        // One more turn of the loop, which reads the wait's request, already sent.
        #expect(server.curl("/health").status == 200)

        #expect(server.stop(signal: SIGTERM) == 0)
        #expect(syncClient.remainingLines() == ["jobsched: job \(syncID) killed returncode=-"])
        #expect(follower.remainingLines() == ["jobsched: job \(ids[5]) killed returncode=-"])
        let waited = waiter.remainingLines()
        #expect(waited.count == count + 2 && waited.allSatisfy { $0.contains(" killed returncode=") }, "\(waited.count) lines")
        #expect(server.log.contains("\(count + 1) queued jobs killed: server shutdown"))
        #expect(!server.log.contains("job \(ids[0]) killed"))
        #expect(try sqlite3(server.databasePath, "SELECT status, msg, count(*) FROM jobs GROUP BY status, msg")
                == "killed|server shutdown|\(count + 2)\n")
    }

    @Test func secondInterruptSkipsTheGracePeriod() throws {
        let server = try ServerProcess(["--kill-grace", "600"])
        let id = try server.submitAsync("trap '' TERM INT; sleep 300")
        let pid = try server.pidOnceRunning(id)
        kill(server.pid, SIGINT)
        // The first interrupt closes the listener; then the second one.
        #expect(eventually { Curl.run(["-m", "5", "\(server.base)/help"]).exitCode == 7 })
        kill(server.pid, SIGINT)
        #expect(server.waitForExit(timeout: 120) == 0)
        #expect(processes(inGroup: pid).isEmpty)
    }

    @Test func jobIdIsCommittedBeforeItIsSent() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("sleep 300")
        // Another connection to the database file sees the job at once.
        #expect(try sqlite3(server.databasePath, "SELECT command FROM jobs WHERE id = \(id);") == "sleep 300\n")
    }

    @Test func portInUseAndBadDatabaseFailFastWithOneLine() throws {
        let server = try ServerProcess()
        for (arguments, expected) in [
            (["-p", String(server.port), "--dbfile", server.directory.file("other.sqlite")], "cannot listen"),
            (["-p", "0", "--dbfile", "/nonexistent-dir/jobs.sqlite"], "cannot use database"),
            (["-p", "0", "--dbfile", "/etc/passwd"], "cannot use database"),
            (["-p", "0", "-a", "203.0.113.77", "--dbfile", server.directory.file("x.sqlite")], "cannot listen"),
            (["-j", "0"], "-j must be at least 1"),
            (["-p", "0", "--dbfile", server.databasePath], "in use by another jobsched server"),
        ] {
            let process = Process()
            process.executableURL = ServerProcess.binary
            process.arguments = arguments
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            let started = Date()
            try process.run()
            let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0)
            #expect(Date().timeIntervalSince(started) < 10)
            #expect(output.contains(expected), "\(arguments): \(output)")
        }
        // The first server is unaffected.
        #expect(server.curl("/help").status == 200)
    }

    @Test func foreignSQLiteDatabaseIsRefused() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("foreign.sqlite")
        try sqlite3(path, "CREATE TABLE notes (body TEXT);")
        #expect(throws: HarnessError.self) { try ServerProcess(["--dbfile", path]) }
    }

    @Test func severalInstancesSideBySide() throws {
        let a = try ServerProcess()
        let b = try ServerProcess()
        let idA = try a.submitAsync("true")
        let idB = try b.submitAsync("true")
        #expect(idA == 1 && idB == 1)
        #expect(a.waitFor(idA).contains("success") && b.waitFor(idB).contains("success"))
    }
}
