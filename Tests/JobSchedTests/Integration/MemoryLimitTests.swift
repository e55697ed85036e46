import Foundation
import Glibc
@testable import JobSchedSystem
import Testing

/// mem= held by a real server: by the kernel in a memory cgroup per job
/// where this machine lets the server make them, else by sampling /proc.
@Suite("Integration: jobs held to their mem=")
struct MemoryLimitIntegrationTests {
    /// Holds 300 MB, then sleeps: far over a mem=100M.
    private static let hog = "python3 -c \"b = b'a' * 300000000; import time; time.sleep(60)\""

    /// Whether this test process may make a memory cgroup beside its own, as the server will.
    static let canMakeMemoryCgroups: Bool = {
        let cgroupFile = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        let mountInfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return CgroupPaths.ownMemoryCgroups(cgroupFile: cgroupFile, mountInfo: mountInfo).contains { version, own in
            let probe = own + "/jobsched-test-\(getpid())"
            guard mkdir(probe, 0o755) == 0 else { return false }
            defer { rmdir(probe) }
            return version == .v1 || ((try? String(contentsOfFile: own + "/cgroup.controllers", encoding: .utf8)) ?? "").contains("memory")
        }
    }()

    /// The memory cgroup a process is in, from /proc/PID/cgroup.
    private static func memoryCgroup(of pid: Int32) -> String? {
        let lines = ((try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? "").split(separator: "\n")
        let line = lines.first { $0.contains(":memory:") } ?? lines.first { $0.hasPrefix("0::") }
        return line.map { String($0.split(separator: ":", maxSplits: 2)[2]) }
    }

    /// Sampling: a job whose process group uses more than its mem= is
    /// stopped and says by how much; one within it runs to its end.
    @Test func aSampledJobOverItsMemoryIsStopped() throws {
        let server = try ServerProcess(["--mem-enforcement", "sampling"])
        #expect(server.log.contains("mem= is held by sampling each job's processes every 1 s (--mem-enforcement sampling)"))
        // The memory is held by a child of the job's shell: the whole group counts.
        let hog = try server.submitAsync("\(Self.hog) & wait", extra: "&mem=100M")
        let within = try server.submitAsync("python3 -c \"b = b'a' * 30000000; import time; time.sleep(2)\"", extra: "&mem=200M")
        #expect(server.waitFor(hog).hasPrefix("job \(hog) killed returncode=-"))
        let job = try server.job(hog)
        let msg = try #require(job["msg"] as? String)
        #expect(msg.hasPrefix("over its mem=100M: used ") && msg.contains("M, ") && msg.hasSuffix("M more"), "\(msg)")
        let runtime = try #require(job["runtime"] as? Double)
        #expect(runtime < 30, "stopped after \(runtime) s")
        #expect(server.waitFor(within) == "job \(within) success returncode=0\n")
    }

    /// The kernel: each job with mem= runs in a cgroup of its own (also one
    /// the server starts itself, its spawner gone), limited to it. One that
    /// asks for more is stopped at once, also when the memory is held by a
    /// process that left the job's process group, which sampling the group
    /// cannot see. The cgroups go with their jobs, and their folder with the server.
    @Test(.enabled(if: canMakeMemoryCgroups, "this machine lets the server make no memory cgroup"))
    func theKernelHoldsEachJobToItsMemory() throws {
        let server = try ServerProcess()
        let logLine = try #require(server.log.split(separator: "\n").first { $0.contains("mem= is held by the kernel") })
        let folder = try #require(logLine.split(separator: " in ").last?.split(separator: " (").first.map(String.init))
        #expect(FileManager.default.fileExists(atPath: folder), "\(logLine)")

        let gate = try server.makeGate()
        let held = try server.submitAsync("cat \(gate.path)", extra: "&mem=50M")
        let unlimited = try server.submitAsync("cat \(gate.path)")
        let heldPID = try server.pidOnceRunning(held)
        #expect(Self.memoryCgroup(of: heldPID)?.hasSuffix("/jobsched-\(server.pid)/job-\(held)") == true)
        #expect(Self.memoryCgroup(of: try server.pidOnceRunning(unlimited))?.contains("/job-") == false)
        #expect(try String(contentsOfFile: folder + "/job-\(held)/" + (folder.contains("/memory/") ? "memory.limit_in_bytes" : "memory.max"),
                           encoding: .utf8) == "\(50 << 20)\n")
        // Swap counts within the limit, where the kernel accounts it.
        let memsw = folder + "/job-\(held)/memory.memsw.limit_in_bytes", swapMax = folder + "/job-\(held)/memory.swap.max"
        if FileManager.default.fileExists(atPath: memsw) { #expect(try String(contentsOfFile: memsw, encoding: .utf8) == "\(50 << 20)\n") }
        if FileManager.default.fileExists(atPath: swapMax) { #expect(try String(contentsOfFile: swapMax, encoding: .utf8) == "0\n") }

        // It goes on after the process that ran out, and is stopped within moments all the same.
        let onAfter = try server.submitAsync("python3 -c \"b = b'a' * 300000000\"; sleep 60", extra: "&mem=100M")
        // setsid: the hog leaves the job's process group (not its cgroup).
        let escaped = try server.submitAsync("setsid \(Self.hog) & wait", extra: "&mem=100M")
        let within = try server.submitAsync("python3 -c \"b = b'a' * 30000000\"", extra: "&mem=200M")
        let stopped = "over its mem=100M: it asked for more, and the kernel's out-of-memory killer stopped it"
        for id in [onAfter, escaped] {
            #expect(server.waitFor(id).hasPrefix("job \(id) killed"))
            let job = try server.job(id)
            #expect(job["msg"] as? String == stopped)
            #expect((job["runtime"] as? Double ?? 60) < 30)
        }
        #expect(server.waitFor(within) == "job \(within) success returncode=0\n")
        #expect(eventually { !FileManager.default.fileExists(atPath: folder + "/job-\(onAfter)") })

        // Without the spawner, what the server starts itself starts in its cgroup; the server stays out.
        let spawner = try #require(PeakMemoryIntegrationTests.children(of: server.pid).first { $0.name == "jobsched-spawn" })
        kill(spawner.pid, SIGKILL)
        #expect(eventually { server.log.contains("the job spawner failed") })
        let direct = try server.submitAsync("cat /proc/self/cgroup; \(Self.hog)", extra: "&mem=100M")
        #expect(server.waitFor(direct).hasPrefix("job \(direct) killed"))
        #expect(server.curl("/output?jobid=\(direct)").body.contains("/jobsched-\(server.pid)/job-\(direct)\n"))
        #expect(Self.memoryCgroup(of: server.pid)?.contains("/job-") == false)

        try gate.open("done")
        try gate.open("done")
        server.waitFor(held, unlimited)
        #expect(server.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test func enforcementIsForJobsThatRunHere() throws {
        let slurm = try ServerProcess.run(["-p", "0", "--executor", "slurm", "--mem-enforcement", "cgroup"])
        #expect(slurm.status == 64 && slurm.stderr.contains("--mem-enforcement is for jobs that run here"), "\(slurm)")
        let bad = try ServerProcess.run(["-p", "0", "--mem-enforcement", "kernel"])
        #expect(bad.status == 64 && bad.stderr.contains("Please provide one of 'auto', 'cgroup' or 'sampling'"), "\(bad)")
    }
}
