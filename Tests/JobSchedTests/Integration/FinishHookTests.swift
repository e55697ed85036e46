import Foundation
import Glibc
import Testing

/// `--on-finish`: a real bash line run by a real server for every job that ends.
@Suite("Integration: the finish hook")
struct FinishHookIntegrationTests {
    private static func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// The hook gets the job in its environment and the end of its output
    /// in a file, removed after it; it runs for failed and killed jobs too.
    @Test func theHookGetsTheJobAndTheEndOfItsOutput() throws {
        let directory = try ScratchDirectory()
        let out = directory.file("hooks")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let hook = "env | grep '^JOBSCHED_JOB_' | sort > \(out)/$JOBSCHED_JOB_ID.env; cat \"$JOBSCHED_JOB_OUTPUT_TAIL\" > \(out)/$JOBSCHED_JOB_ID.tail; "
            + "echo \"$JOBSCHED_JOB_OUTPUT_TAIL\" > \(out)/$JOBSCHED_JOB_ID.path"
        let server = try ServerProcess(["--on-finish", hook], directory: directory)
        let long = try server.submitAsync("seq 1 3000; echo done >&2; exit 3", extra: "&name=counting&group=g1")
        let killed = try server.submitAsync("sleep 60")
        _ = try server.pidOnceRunning(killed)
        #expect(server.curl("/kill", data: "jobid=\(killed)").status == 200)
        server.waitFor(long, killed)
        #expect(eventually { Self.contents("\(out)/\(long).path") != nil && Self.contents("\(out)/\(killed).path") != nil })
        let env = try #require(Self.contents("\(out)/\(long).env")).split(separator: "\n").map(String.init)
        let tailPath = try #require(Self.contents("\(out)/\(long).path")).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(env.contains("JOBSCHED_JOB_ID=\(long)") && env.contains("JOBSCHED_JOB_NAME=counting") && env.contains("JOBSCHED_JOB_GROUP=g1"))
        #expect(env.contains("JOBSCHED_JOB_STATUS=success") && env.contains("JOBSCHED_JOB_RETURNCODE=3") && env.contains("JOBSCHED_JOB_MSG="))
        #expect(env.contains("JOBSCHED_JOB_COMMAND=seq 1 3000; echo done >&2; exit 3") && env.contains("JOBSCHED_JOB_OUTPUT_TAIL=\(tailPath)"))
        #expect(env.contains { $0.hasPrefix("JOBSCHED_JOB_RUNTIME=0.") || $0.hasPrefix("JOBSCHED_JOB_RUNTIME=1") }, "\(env)")
        // The end of its output, both streams, from a line's start: at most 4 KiB.
        let tail = try #require(Self.contents("\(out)/\(long).tail"))
        #expect(tail.hasSuffix("2999\n3000\ndone\n") && tail.utf8.count <= 4096 && tail.first != nil && tail.split(separator: "\n").first.map { Int($0) != nil } == true)
        #expect(eventually { !FileManager.default.fileExists(atPath: tailPath) }, "the tail file stays")
        let killedEnv = try #require(Self.contents("\(out)/\(killed).env"))
        #expect(killedEnv.contains("JOBSCHED_JOB_STATUS=killed") && killedEnv.contains("JOBSCHED_JOB_RETURNCODE=-15"), "\(killedEnv)")
    }

    /// A hook that hangs is stopped after --on-finish-timeout; one that
    /// fails is logged at warning; neither changes its job or holds the next.
    @Test func aHangingOrFailingHookIsLoggedAndHarmless() throws {
        let server = try ServerProcess(["--on-finish", "echo \"broken $JOBSCHED_JOB_ID\" >&2; [ $JOBSCHED_JOB_ID = 1 ] && exec sleep 600; exit 7",
                                        "--on-finish-timeout", "1", "--kill-grace", "1"])
        let first = try server.submitAsync("true")
        #expect(server.waitFor(first) == "job \(first) success returncode=0\n")
        let second = try server.submitAsync("true")
        #expect(server.waitFor(second) == "job \(second) success returncode=0\n")
        #expect(eventually { server.log.contains("on-finish hook of job \(second) failed: broken \(second)") }, "\(server.log)")
        #expect(eventually { server.log.contains("on-finish hook of job \(first) still ran after 1 s (--on-finish-timeout): stopped") }, "\(server.log)")
        #expect(eventually { !PeakMemoryIntegrationTests.children(of: server.pid).contains { $0.name == "sleep" } })
        #expect(server.log.contains("warning on-finish hook of job \(first) failed"))
        #expect(try server.job(first)["status"] as? String == "success")
    }

    /// At most --on-finish-limit hooks at once, the others in order; they do
    /// not count against -j (a job starts while the last one's hook runs).
    @Test func hooksRunAFewAtATimeBesideTheJobs() throws {
        let directory = try ScratchDirectory()
        let lock = directory.file("lock"), overlaps = directory.file("overlaps"), order = directory.file("order")
        let hook = "mkdir \(lock) 2>/dev/null || echo $JOBSCHED_JOB_ID >> \(overlaps); echo $JOBSCHED_JOB_ID >> \(order); sleep 1; rmdir \(lock)"
        let server = try ServerProcess(["-j", "1", "--on-finish", hook, "--on-finish-limit", "1"], directory: directory)
        let batch = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", String(repeating: "true\n", count: 5)])
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(ids.count == 5)
        // All five jobs end long before their five hooks (5 s at one at a time) have run.
        server.waitFor(ids[4])
        #expect((Self.contents(order) ?? "").split(separator: "\n").count < 5)
        #expect(eventually { (Self.contents(order) ?? "").split(separator: "\n").count == 5 })
        #expect(Self.contents(order) == ids.map { "\($0)\n" }.joined())
        #expect(Self.contents(overlaps) == nil)
    }

    /// A shutdown stops the running hooks (their children too) and collects
    /// them before the server exits: none is left to init.
    @Test func aShutdownStopsTheHooksAndCollectsThem() throws {
        let directory = try ScratchDirectory()
        let hookPID = directory.file("hook.pid"), sleepPID = directory.file("sleep.pid")
        let server = try ServerProcess(["--on-finish", "echo $$ > \(hookPID).new; mv \(hookPID).new \(hookPID); sleep 30 & echo $! > \(sleepPID).new; mv \(sleepPID).new \(sleepPID); wait",
                                        "--kill-grace", "1"], directory: directory)
        server.waitFor(try server.submitAsync("true"))
        #expect(eventually { Self.contents(hookPID) != nil && Self.contents(sleepPID) != nil })
        let pids = [hookPID, sleepPID].compactMap { Self.contents($0).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        #expect(pids.count == 2 && pids.allSatisfy { kill($0, 0) == 0 })
        #expect(server.stop() == 0)
        // Gone, not even a zombie: the server collected them before it exited.
        for pid in pids { #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "\(pid) left: \(Self.contents("/proc/\(pid)/stat") ?? "")") }
    }
}
