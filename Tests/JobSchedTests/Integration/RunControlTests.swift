import Foundation
import Testing

@Suite("Integration: timeouts, retries, delays, environment")
struct RunControlIntegrationTests {
    @Test func timeoutKillsTheWholeProcessTree() throws {
        let server = try ServerProcess(["--kill-grace", "0.5"])
        let id = try server.submitAsync("sleep 300 & sleep 301 & wait", extra: "&timeout=0.5")
        let pid = try server.pidOnceRunning(id)
        #expect(server.waitFor(id).hasPrefix("job \(id) killed returncode="))
        #expect((try server.job(id)["msg"] as? String)?.hasPrefix("timeout") == true)
        #expect(eventually { processes(inGroup: pid).isEmpty })
    }

    @Test func retriesCountAttempts() throws {
        let server = try ServerProcess()
        let counter = server.directory.file("count")
        // Fails on its first two runs, succeeds on the third.
        let flaky = try server.submitAsync("echo x >> \(counter); [ $(wc -l < \(counter)) -ge 3 ]",
                                           extra: "&retries=5&retry_delay=0.1")
        #expect(server.waitFor(flaky) == "job \(flaky) success returncode=0\n")
        let info = server.curl("/jobinfo", data: "jobid=\(flaky)&fields=attempts,retries")
        #expect(info.lines.last == "3\t5")
        let hopeless = try server.submitAsync("exit 7", extra: "&retries=1")
        #expect(server.waitFor(hopeless) == "job \(hopeless) success returncode=7\n")
        #expect(server.curl("/jobinfo", data: "jobid=\(hopeless)&fields=attempts").lines.last == "2")
    }

    @Test func delayHoldsAJobQueuedWithAFreeSlot() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("true", extra: "&delay=600")
        #expect(server.curl("/wait", data: "jobid=\(id)&timeout=0.3").body == "job \(id) queued returncode=-\n")
        server.curl("/kill", data: "jobid=\(id)")
        let past = try server.submitAsync("true", extra: "&at=2001-01-01T00:00:00Z")
        #expect(server.waitFor(past).contains("success"))
        let soon = try server.submitAsync("true", extra: "&delay=0.2")
        #expect(server.waitFor(soon).contains("success"))
        #expect(server.curl("/submit", data: "command=true&at=tomorrow").status == 400)
    }

    @Test func cwdAndEnvironment() throws {
        let server = try ServerProcess()
        let result = server.curl("/submit", data: "command=pwd; echo $GREETING-$OTHER&cwd=/tmp&env=GREETING=hello world&env=OTHER=2")
        #expect(Array(result.lines.dropFirst()) == ["/tmp", "hello world-2", "jobsched: job 1 success returncode=0"])
        let bad = server.curl("/submit", data: "command=true&cwd=/nonexistent-dir")
        #expect(bad.lines.last == "jobsched: job 2 failed returncode=-")
        #expect((try server.job(2)["msg"] as? String)?.contains("/nonexistent-dir") == true)
        #expect(server.curl("/submit", data: "command=true&env=1BAD=x").status == 400)
    }

    @Test func uniqueReturnsTheActiveJob() throws {
        let server = try ServerProcess()
        let first = try server.submitAsync("sleep 300", extra: "&name=nightly&unique=1")
        let again = try server.submitAsync("sleep 300", extra: "&name=nightly&unique=1")
        #expect(again == first)
        let otherGroup = try server.submitAsync("sleep 300", extra: "&name=nightly&group=x&unique=1")
        #expect(otherGroup != first)
        server.curl("/kill", data: "jobid=\(first),\(otherGroup)")
    }

    @Test func waitForAGroupAndFailStatus() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let ok = try server.submitAsync("cat \(gate.path)", extra: "&group=build")
        let bad = try server.submitAsync("exit 2", extra: "&group=build&after=\(ok)")
        let waiter = try server.heldWait("group=build&fail=1", while: ok)
        try gate.open("go")
        let lines = waiter.remainingLines()
        let result = (status: Int(lines.last ?? ""), lines: Array(lines.dropLast()))
        #expect(result.status == 409)
        #expect(result.lines == ["job \(ok) success returncode=0", "job \(bad) success returncode=2"])
        #expect(server.curl("/wait", data: "jobid=\(ok)&fail=1").status == 200)
    }

    @Test func jobinfoSortLimitAndNewFields() throws {
        let server = try ServerProcess()
        for priority in [3, 1, 2] { _ = try server.submitAsync("true", extra: "&priority=\(priority)") }
        server.waitFor(1, 2, 3)
        let sorted = server.curl("/jobinfo", data: "all=1&sort=-priority&limit=2&fields=jobid,priority,attempts")
        #expect(sorted.lines == ["jobid\tpriority\tattempts", "1\t3\t1", "3\t2\t1"])
        #expect(server.curl("/jobinfo", data: "sort=bogus").status == 400)
    }

    /// JSON carries every field by default (text keeps the original columns),
    /// `null` for no message, and the README's example has the same keys.
    @Test func jsonCarriesEveryFieldByDefault() throws {
        let server = try ServerProcess()
        let first = try server.submitAsync("true", extra: "&priority=2&timeout=60&retries=1&retry_delay=0.5&env=A=1")
        let second = try server.submitAsync("sleep 300", extra: "&after=\(first)&cwd=/tmp")
        server.curl("/kill", data: "jobid=\(second)")
        server.waitFor(first, second)
        let allKeys = ["jobid", "name", "group", "command", "status", "returncode", "sync", "outlog", "errlog", "msg",
                       "submitted", "started", "finished", "pid", "priority", "after", "afterany", "notbefore", "timeout",
                       "retries", "retry_delay", "attempts", "cwd", "env", "runtime", "slurm", "slurm_jobid", "node", "slurm_state", "slurm_reason",
                       "cpu_user", "cpu_system", "max_rss_kb", "cpus", "mem", "gpus", "gpu_ids", "cpu_ids", "owner", "notify", "notify_status"]
        let key = try Regex(#""([a-z_]+)": "#, as: (Substring, Substring).self)
        // The keys of the first job object (its values hold no braces).
        func keys(_ json: Substring) -> [String] {
            let object = json.prefix(while: { $0 != "}" })
            return object.matches(of: key).map { String($0.output.1) }.filter { $0 != "jobs" }
        }
        let info = server.curl("/jobinfo", data: "jobid=\(first)&format=json").body
        #expect(keys(info[...]) == allKeys, "\(info)")
        #expect(keys(server.curl("/wait", data: "jobid=\(first)&format=json").body[...]) == allKeys)
        let job = try server.job(first)
        #expect(job["msg"] is NSNull)
        #expect(job["priority"] as? Int == 2 && job["attempts"] as? Int == 1 && job["retries"] as? Int == 1)
        #expect(job["timeout"] as? Double == 60 && job["retry_delay"] as? Double == 0.5)
        #expect(job["env"] as? [String] == ["A=1"])
        let killed = try server.job(second)
        #expect(killed["msg"] as? String == "killed by /kill")
        #expect(killed["after"] as? [Int] == [Int(first)] && killed["cwd"] as? String == "/tmp")
        #expect(server.curl("/jobinfo", data: "jobid=\(first)").lines.first
                == "jobid\tname\tgroup\tstatus\treturncode\tsubmitted\tmsg\tcommand")
        // For people: aligned, with how long ago and how long it ran.
        let table = server.curl("/jobinfo", data: "jobid=\(first)&view=table").lines
        #expect(table.first?.split(separator: " ") == ["ID", "NAME", "GROUP", "STATUS", "RC", "STARTED", "RUNTIME", "COMMAND"], "\(table)")
        #expect(table.count == 2 && table[1].contains(" ago ") && table[1].hasPrefix("\(first) "), "\(table)")
        #expect(server.curl("/jobinfo", data: "view=table&format=json").status == 400)

        // The README shows a reply as the server sends it.
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let example = try #require(text.firstRange(of: "{\"jobs\": [{\"jobid\": 1, ").map { text[$0.lowerBound...] })
        #expect(keys(example) == allKeys)
        #expect(example.prefix(while: { $0 != "}" }).contains("\"msg\": null"))
        for key in ["timeout", "retry_delay", "runtime", "cpu_user", "cpu_system"] {
            #expect(!example.prefix(while: { $0 != "}" }).contains("\"\(key)\": \""), "\(key) is a number")
        }
    }

    /// Resumed jobs start as an uninterrupted queue would start them: by
    /// priority, and within group limits, not in id order.
    @Test func resumeStartsQueuedJobsByPriorityAndGroupLimit() throws {
        let directory = try ScratchDirectory()
        let order = directory.file("order")
        var server = try ServerProcess(["--resume", "-j", "1"], directory: directory)
        #expect(server.curl("/group", data: "name=g&limit=1").status == 200)
        _ = try server.submitAsync("sleep 300")
        var ids: [Int64] = []
        for (label, priority, group) in [("low", 0, "default"), ("g-low", 0, "g"), ("g-high", 5, "g"), ("high", 9, "default")] {
            // The sleep keeps a slot taken while the other first job writes its line.
            ids.append(try server.submitAsync("echo \(label) >> \(order); sleep 0.5", extra: "&priority=\(priority)&group=\(group)"))
        }
        #expect(server.stop() == 0)

        // -j 2: in id order "low" and "g-low" would take both slots at once.
        server = try ServerProcess(["--resume", "-j", "2"], directory: directory)
        defer { server.stop() }
        for id in ids { server.waitFor(id) }
        let lines = try String(contentsOfFile: order, encoding: .utf8).split(separator: "\n")
        #expect(Set(lines.prefix(2)) == ["high", "g-high"], "started: \(lines)")
        #expect(Set(lines) == ["high", "g-high", "low", "g-low"])
    }

    @Test func resumeKeepsQueuedJobsAcrossAGracefulRestart() throws {
        let directory = try ScratchDirectory()
        var server = try ServerProcess(["--resume", "-j", "1"], directory: directory)
        let running = try server.submitAsync("sleep 300")
        let queued = try server.submitAsync("echo resumed")
        let dependent = try server.submitAsync("true", extra: "&after=\(queued)")
        #expect(server.stop() == 0)
        server = try ServerProcess(["--resume", "-j", "1"], directory: directory)
        #expect(try server.job(running)["status"] as? String == "killed")
        #expect(server.waitFor(queued, dependent) == "job \(queued) success returncode=0\njob \(dependent) success returncode=0\n")
    }
}
