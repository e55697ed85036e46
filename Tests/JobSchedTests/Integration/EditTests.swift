import Foundation
import Testing

@Suite("Integration: /edit")
struct EditIntegrationTests {
    /// `/edit` with `data` (urlencoded by curl, so `+` and `&` reach the server as typed).
    private func edit(_ server: ServerProcess, _ id: Int64, _ changes: [String], format: String = "text") -> CurlResult {
        Curl.run(["--data", "jobid=\(id)&format=\(format)"] + changes.flatMap { ["--data-urlencode", $0] } + ["\(server.base)/edit"])
    }

    @Test func aRaisedPriorityStartsBeforeTheJobsAheadOfIt() throws {
        let server = try ServerProcess(["-j", "1"])
        let order = server.directory.file("order")
        let gate = try server.makeGate()
        let holder = try server.submitAsync("cat \(gate.path)")
        _ = try server.pidOnceRunning(holder)
        let first = try server.submitAsync("echo first >> \(order)")
        let second = try server.submitAsync("echo second >> \(order)")
        let reply = edit(server, second, ["priority=5"])
        #expect(reply.status == 200 && reply.body == "Job \(second) has been edited\n", "\(reply)")
        try gate.open("go")
        server.waitFor(holder, first, second)
        #expect(try String(contentsOfFile: order, encoding: .utf8) == "second\nfirst\n")
        #expect(try server.job(second)["priority"] as? Int == 5)
    }

    @Test func aJobMovedOutOfAPausedGroupStartsAndIsFoundUnderItsNewName() throws {
        let server = try ServerProcess()
        #expect(server.curl("/pause", data: "group=held").status == 200)
        let id = try server.submitAsync("sleep 300", extra: "&group=held&name=old")
        #expect(server.curl("/group").lines.contains { $0.hasPrefix("held\t-\t1\t1\t0\t") })
        #expect(edit(server, id, ["group=free", "name=new"]).status == 200)
        _ = try server.pidOnceRunning(id)
        let groups = server.curl("/group").lines
        #expect(groups.contains { $0.hasPrefix("free\t-\t0\t0\t1\t") } && groups.contains { $0.hasPrefix("held\t-\t1\t0\t0\t") },
                "\(groups)")
        // unique= looks the job up by its new name and group.
        #expect(try server.submitAsync("true", extra: "&group=free&name=new&unique=1") == id)
        #expect(try server.submitAsync("true", extra: "&group=held&name=old&unique=1") != id)
        server.curl("/kill", data: "jobid=\(id)")
    }

    @Test func aDelayEditedToZeroStartsAtOnceWithTheEditedCommand() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("echo old", extra: "&delay=1h")
        #expect(edit(server, id, ["command=echo 'new & improved'"]).status == 200)
        #expect(server.curl("/wait", data: "jobid=\(id)&timeout=0.2").body == "job \(id) queued returncode=-\n")
        #expect(edit(server, id, ["delay=0"]).status == 200)
        #expect(server.curl("/wait", data: "jobid=\(id)&timeout=60").body == "job \(id) success returncode=0\n")
        #expect(server.curl("/output?jobid=\(id)").body == "new & improved\n")
        // at=+DURATION holds a job again, as /submit reads it.
        let later = try server.submitAsync("true")
        server.waitFor(later)
        let held = try server.submitAsync("true", extra: "&delay=1h")
        #expect(edit(server, held, ["at=+2h", "timeout=1h30m"]).status == 200)
        let job = try server.job(held)
        #expect(job["status"] as? String == "queued" && job["timeout"] as? Double == 5400)
        server.curl("/kill", data: "jobid=\(held)")
    }

    @Test func aSyncJobCanBeEditedWhileItsClientWaits() throws {
        let server = try ServerProcess()
        let client = try StreamingCurl(["--data", "command=echo old&delay=1h", "\(server.base)/submit"])
        let id = try #require(Int64(client.nextLine() ?? ""))
        #expect(edit(server, id, ["command=echo synced", "delay=0"]).status == 200)
        #expect(client.remainingLines() == ["synced", "jobsched: job \(id) success returncode=0"])
    }

    @Test func onlyAQueuedJobCanBeEdited() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let running = try server.submitAsync("cat \(gate.path)")
        _ = try server.pidOnceRunning(running)
        let busy = edit(server, running, ["priority=1"])
        #expect(busy.status == 409 && busy.body == "Error: job \(running) is running; only a queued job can be edited, and a running one only given notify=\n",
                "\(busy)")
        try gate.open("go")
        server.waitFor(running)
        let done = edit(server, running, ["priority=1"], format: "json")
        #expect(done.status == 409 && done.body.hasPrefix("{\"error\": ") && done.body.contains("(status success)"), "\(done)")
        let unknown = edit(server, 999, ["priority=1"])
        #expect(unknown.status == 404 && unknown.body == "Error: unknown job id 999\n")
    }

    @Test func badValuesChangeNothing() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("true", extra: "&delay=1h&priority=2")
        let cases: [([String], String)] = [
            ([], "nothing to change: give at least one of command, name, group"),
            (["priority=high"], "priority must be an integer from -1000000 to 1000000"),
            (["priority=9", "delay=10x"], "delay must be a duration such as"),
            (["delay=5", "at=+5m"], "give delay or at, not both"),
            (["timeout=0"], "timeout must be more than 0 seconds"),
            (["group=a,b"], "group must not contain a comma"),
            (["after=1"], "unknown parameter 'after' for /edit"),
        ]
        for (changes, message) in cases {
            let result = edit(server, id, changes)
            #expect(result.status == 400 && result.lines.count == 1 && result.body.contains(message), "\(changes): \(result)")
        }
        #expect(server.curl("/edit", data: "jobid=\(id),\(id + 1)&priority=1").body == "Error: edit takes one job id\n")
        let job = try server.job(id)
        #expect(job["priority"] as? Int == 2 && job["status"] as? String == "queued")
        server.curl("/kill", data: "jobid=\(id)")
    }

    @Test func anEditIsAnEventAndAJSONReply() throws {
        let server = try ServerProcess()
        let stream = try EventStreamClient(server)
        #expect(stream.waitUntilConnected())
        let id = try server.submitAsync("true", extra: "&delay=1h")
        let reply = edit(server, id, ["priority=3", "name=renamed"], format: "json")
        let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        #expect(object?["jobid"] as? Int == Int(id) && object?["message"] as? String == "Job \(id) has been edited")
        #expect((object?["job"] as? [String: Any])?["priority"] as? Int == 3)
        let events = stream.events { $0.name == "edited" }
        #expect(events.map(\.name) == ["submitted", "edited"])
        #expect(events.last?.data["name"] as? String == "renamed" && events.last?.data["priority"] as? Int == 3)
        server.curl("/kill", data: "jobid=\(id)")
    }

    @Test func editsSurviveARestartWithResume() throws {
        let directory = try ScratchDirectory()
        var server = try ServerProcess(["--resume"], directory: directory)
        let id = try server.submitAsync("echo old", extra: "&delay=1h")
        #expect(edit(server, id, ["command=echo resumed", "name=kept", "group=later", "priority=7", "timeout=10m",
                                  "retries=2", "retry_delay=30", "at=2099-01-01T00:00:00Z"]).status == 200)
        #expect(server.stop() == 0)
        server = try ServerProcess(["--resume"], directory: directory)
        defer { server.stop() }
        let job = try server.job(id)
        #expect(job["command"] as? String == "echo resumed" && job["name"] as? String == "kept" && job["group"] as? String == "later")
        #expect(job["priority"] as? Int == 7 && job["timeout"] as? Double == 600 && job["retries"] as? Int == 2)
        #expect(job["retry_delay"] as? Double == 30 && job["notbefore"] as? String == "2099-01-01T00:00:00Z")
        #expect(job["status"] as? String == "queued")
        #expect(edit(server, id, ["delay=0"]).status == 200)
        #expect(server.curl("/wait", data: "jobid=\(id)&timeout=60").body == "job \(id) success returncode=0\n")
        #expect(server.curl("/output?jobid=\(id)").body == "resumed\n")
    }
}
