import Foundation
import Glibc
import Testing

/// `max_rss_kb` is the job's own peak: Linux carries the memory of the process
/// that execs into the program's ru_maxrss, so a job the server started itself
/// reported the server's peak (19 MB for `true`). Jobs start from the small
/// spawner; /usr/bin/time (a small parent too) is the reference.
@Suite("Integration: a job's peak memory is its own",
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs /usr/bin/time"))
struct PeakMemoryIntegrationTests {
    static let jobs = [("true", "a 3 MB job"), ("python3 -c \"b = b'a' * 200000000\"", "a 200 MB job")]

    @Test func maxRSSIsWhatTimeSays() throws {
        let server = try ServerProcess()
        // The server's own peak first grows well past the small job's.
        let big = server.directory.file("big")
        try ("command=: " + String(repeating: "x", count: 8 << 20) + "&sync=0").write(toFile: big, atomically: true, encoding: .utf8)
        #expect(Curl.run(["--data-binary", "@\(big)", "\(server.base)/submit"]).status == 200)
        for (command, label) in PeakMemoryIntegrationTests.jobs {
            let id = try server.submitAsync(command)
            #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
            let reported = try #require(try server.job(id)["max_rss_kb"] as? Int, "\(label)")
            let measured = try (0..<3).map { _ in try PeakMemoryIntegrationTests.timeMaxRSS(command) }.sorted()[1]
            // Within a quarter: a 3 MB job's peak varies by a few hundred KB on a
            // loaded machine, and the server's peak it must not show is 6 times more.
            #expect(abs(reported - measured) * 4 <= measured, "\(label): max_rss_kb \(reported), /usr/bin/time \(measured) KB")
        }
    }

    /// A server that exits ends its spawner and collects it: nothing of it is
    /// left for init (which collected the spawner's zombie only seconds later).
    @Test func theSpawnerEndsWithTheServer() throws {
        let server = try ServerProcess()
        let spawner = try #require(PeakMemoryIntegrationTests.children(of: server.pid).first { $0.name == "jobsched-spawn" })
        #expect(server.stop() == 0)
        #expect(access("/proc/\(spawner.pid)", F_OK) != 0, "the spawner \(spawner.pid) outlived the server")
    }

    /// A spawner that dies is let go: jobs still run, started from the server.
    @Test func jobsRunOnWhenTheSpawnerIsGone() throws {
        let server = try ServerProcess()
        let spawner = try #require(PeakMemoryIntegrationTests.children(of: server.pid).first { $0.name == "jobsched-spawn" })
        kill(spawner.pid, SIGKILL)
        #expect(eventually { server.log.contains("the job spawner failed") })
        let id = try server.submitAsync("echo still running")
        server.waitFor(id)
        #expect(server.curl("/output?jobid=\(id)").body == "still running\n")
    }

    /// A spawner that stops answering (stopped, say) is let go after 5 s: the
    /// job whose request it held starts from the server instead, once.
    @Test func aJobHeldByAStoppedSpawnerStartsFromTheServer() throws {
        let server = try ServerProcess()
        let spawner = try #require(PeakMemoryIntegrationTests.children(of: server.pid).first { $0.name == "jobsched-spawn" })
        kill(spawner.pid, SIGSTOP)
        defer { kill(spawner.pid, SIGKILL) }
        let runs = server.directory.file("runs")
        let id = try server.submitAsync("echo ran >> \(runs)")
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
        #expect(server.log.contains("the job spawner failed (it left a request unanswered for 5 s)"), "\(server.log)")
        #expect(FileManager.default.contents(atPath: runs) == Data("ran\n".utf8))
    }

    /// The spawner answers once the process exists; one that cannot exec (a
    /// command longer than the system takes as one argument) is still a
    /// `failed` job with the reason, not an exit status 127.
    @Test func aProcessThatCannotExecIsAFailedJob() throws {
        let server = try ServerProcess()
        let command = server.directory.file("long-command")
        try (": " + String(repeating: "x", count: 200_000)).write(toFile: command, atomically: true, encoding: .utf8)
        let submitted = Curl.run(["--data-urlencode", "command@\(command)", "--data", "sync=0", "\(server.base)/submit"])
        let id = try #require(Int64(submitted.body.trimmingCharacters(in: .whitespacesAndNewlines)), "\(submitted)")
        #expect(server.waitFor(id) == "job \(id) failed returncode=-\n")
        #expect(try server.job(id)["msg"] as? String == "cannot run bash: Argument list too long")
        let next = try server.submitAsync("echo fine")
        server.waitFor(next)
        #expect(server.curl("/output?jobid=\(next)").body == "fine\n")
    }

    /// What `/usr/bin/time -f %M bash -c COMMAND` says, in KB.
    static func timeMaxRSS(_ command: String) throws -> Int {
        let text = try runToEnd("/usr/bin/time", ["-f", "%M", "bash", "-c", command]).stderr
        guard let kilobytes = text.split(separator: "\n").last.flatMap({ Int($0) }) else { throw HarnessError("time said \(text)") }
        return kilobytes
    }

    /// The live children of a process, with their names, from /proc.
    static func children(of parent: Int32) -> [(pid: Int32, name: String)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, fields[0] != "Z", Int32(fields[1]) == parent else { return nil }
            return (pid, String(stat[stat.index(after: open)..<close]))
        }
    }
}
