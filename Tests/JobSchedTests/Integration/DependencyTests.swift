import Foundation
import Testing

@Suite("Integration: dependencies, priorities and groups")
struct DependencyIntegrationTests {
    @Test func failedDependencyKillsDependentsTransitively() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let first = try server.submitAsync("cat \(gate.path); exit 1")
        let second = try server.submitAsync("echo never", extra: "&after=\(first)")
        let third = try server.submitAsync("echo never", extra: "&after=\(second)")
        let anyway = try server.submitAsync("echo ran", extra: "&afterany=\(first)")
        #expect(try server.job(second)["status"] as? String == "queued")
        try gate.open("go")
        #expect(server.waitFor(first, second, third, anyway) == """
            job \(first) success returncode=1
            job \(second) killed returncode=-
            job \(third) killed returncode=-
            job \(anyway) success returncode=0

            """)
        #expect(try server.job(second)["msg"] as? String == "dependency \(first) ended with returncode 1")
        #expect(try server.job(third)["msg"] as? String == "dependency \(second) killed")
        #expect(try server.job(third)["started"] is NSNull)
        // A dependency that already failed kills a new dependent at once.
        let late = try server.submitAsync("echo never", extra: "&after=\(first)")
        #expect(server.waitFor(late) == "job \(late) killed returncode=-\n")
        // Unknown ids are refused.
        let unknown = server.curl("/submit", data: "command=true&sync=0&after=\(first),777")
        #expect(unknown.status == 400 && unknown.body.contains("777"))
    }

    /// Ending a job's dependents must not take a stack frame per link: a
    /// chain of 4,000 once crashed the server.
    @Test func killingTheHeadOfALongChainKillsEveryLink() throws {
        let links = 100_000
        let server = try chainServer(links: links, dependency: "after_ids")
        #expect(server.curl("/kill", data: "jobid=1").body == "Job 1 has been killed\n")
        #expect(server.curl("/wait", data: "jobid=\(links)", timeout: 300).body == "job \(links) killed returncode=-\n")
        #expect(server.curl("/health").body == "ok\n")
        try expectEveryLink(of: server, links: links) { id in
            "\(id)\tkilled\t" + (id == 1 ? "killed by /kill" : "dependency \(id - 1) killed")
        }
    }

    /// Nor must starting them: each `afterany=` link, unable to start (no
    /// such cwd), fails and frees the next.
    @Test func aLongChainOfJobsThatCannotStartFailsLinkByLink() throws {
        let links = 50_000
        let server = try chainServer(links: links, dependency: "afterany_ids", cwd: "/nonexistent-dir")
        server.curl("/kill", data: "jobid=1")
        #expect(server.curl("/wait", data: "jobid=\(links)", timeout: 300).body == "job \(links) failed returncode=-\n")
        #expect(server.curl("/health").body == "ok\n")
        try expectEveryLink(of: server, links: links) { id in
            "\(id)\t" + (id == 1 ? "killed\tkilled by /kill" : "failed\tcannot use cwd '/nonexistent-dir': No such file or directory")
        }
    }

    /// A server resuming a chain of queued jobs, each depending on the one
    /// before through `dependency` (a column), its head running `sleep 300`.
    /// The chain is written into the database: that many submits over HTTP
    /// would take minutes on a debug build.
    private func chainServer(links: Int, dependency: String, cwd: String? = nil) throws -> ServerProcess {
        let directory = try ScratchDirectory()
        let database = directory.file("jobs.sqlite")
        #expect(try ServerProcess(directory: directory).stop() == 0)  // creates the schema
        try sqlite3(database, """
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < \(links))
            INSERT INTO jobs (id, name, grp, command, status, sync, submitted, \(dependency), cwd)
            SELECT x, 'link', 'chain', CASE x WHEN 1 THEN 'sleep 300' ELSE 'true' END, 'queued', 0, 1.7e9,
                   CASE x WHEN 1 THEN '' ELSE CAST(x - 1 AS TEXT) END,
                   CASE x WHEN 1 THEN NULL ELSE \(cwd.map { "'\($0)'" } ?? "NULL") END
            FROM n;
            """)
        let server = try ServerProcess(["--resume", "--log-level", "error"], directory: directory)
        _ = try server.pidOnceRunning(1)
        return server
    }

    /// Every job's `/jobinfo` line (jobid, status, msg) is `expected(id)`.
    private func expectEveryLink(of server: ServerProcess, links: Int, _ expected: (Int) -> String) throws {
        let rows = server.curl("/jobinfo", data: "all=1&fields=jobid,status,msg", timeout: 300).lines.dropFirst()
        #expect(rows.count == links)
        let wrong = rows.enumerated().filter { index, row in row != expected(index + 1) }
        #expect(wrong.isEmpty, "first wrong rows: \(wrong.prefix(3).map(\.element))")
    }

    @Test func successfulChainRunsInOrder() throws {
        let server = try ServerProcess(["-j", "4"])
        let order = server.directory.file("order")
        let a = try server.submitAsync("sleep 0.2; echo a >> \(order)")
        let b = try server.submitAsync("echo b >> \(order)", extra: "&after=\(a)")
        let c = try server.submitAsync("echo c >> \(order)", extra: "&after=\(b),\(a)")
        server.waitFor(a, b, c)
        #expect(try String(contentsOfFile: order, encoding: .utf8) == "a\nb\nc\n")
    }

    @Test func higherPriorityRunsFirstUnderAFullQueue() throws {
        let server = try ServerProcess(["-j", "1"])
        let gate = try server.makeGate()
        let order = server.directory.file("order")
        let blocker = try server.submitAsync("cat \(gate.path)")
        var ids: [Int64] = []
        for (label, priority) in [("low", 0), ("high1", 5), ("mid", 1), ("high2", 5), ("negative", -3)] {
            ids.append(try server.submitAsync("echo \(label) >> \(order)", extra: "&priority=\(priority)"))
        }
        try gate.open("go")
        server.waitFor(blocker)
        for id in ids { server.waitFor(id) }
        #expect(try String(contentsOfFile: order, encoding: .utf8) == "high1\nhigh2\nmid\nlow\nnegative\n")
    }

    @Test func groupLimitAndGlobalLimitTogether() throws {
        let server = try ServerProcess(["-j", "3"])
        #expect(server.curl("/group", data: "name=g&limit=1").status == 200)
        let inGroup = SpanLog(directory: server.directory, name: "g")
        let everyone = SpanLog(directory: server.directory, name: "all")
        var ids: [Int64] = []
        for _ in 0..<4 {
            let both = inGroup.command(seconds: 0.2) + "; " + everyone.command(seconds: 0)
            ids.append(try server.submitAsync(both, extra: "&group=g"))
            ids.append(try server.submitAsync(everyone.command(seconds: 0.2), extra: "&group=h"))
        }
        let listing = server.curl("/group").lines
        #expect(listing.first == "group\tlimit\tpaused\tqueued\trunning\tzero\tnonzero\tkilled\tfailed\tdone")
        #expect(listing.contains { $0.hasPrefix("g\t1\t0\t") })
        for id in ids { server.waitFor(id) }
        // Progress: the finished jobs by outcome, and how many are done out of all.
        let failing = try server.submitAsync("exit 4", extra: "&group=h")
        server.waitFor(failing)
        let progress = server.curl("/group").lines
        #expect(progress.contains("g\t1\t0\t0\t0\t4\t0\t0\t0\t4/4"), "\(progress)")
        #expect(progress.contains("h\t-\t0\t0\t0\t4\t1\t0\t0\t5/5"), "\(progress)")
        let json = server.curl("/group", data: "format=json").body
        #expect(json.contains(#""finished": {"zero": 4, "nonzero": 1, "killed": 0, "failed": 0}, "done": 5, "total": 5"#), "\(json)")
        #expect(try inGroup.mostAtOnce() == 1)
        #expect(try everyone.mostAtOnce() <= 3)
        #expect(try everyone.count() == 8)
    }

    @Test func pausedGroupStaysPausedAcrossRestart() throws {
        let directory = try ScratchDirectory()
        var server = try ServerProcess(["--resume"], directory: directory)
        #expect(server.curl("/pause", data: "group=batch").body == "Paused group batch: no job has used it yet\n")
        let held = try server.submitAsync("echo ran", extra: "&group=batch")
        let other = try server.submitAsync("true", extra: "&group=other")
        #expect(server.waitFor(other).contains("success"))
        #expect(try server.job(held)["status"] as? String == "queued")
        #expect(server.stop() == 0)

        server = try ServerProcess(["--resume"], directory: directory)
        #expect(try server.job(held)["status"] as? String == "queued")
        #expect(server.curl("/group").lines.contains { $0.hasPrefix("batch\t-\t1\t1\t0") })
        server.curl("/resume", data: "group=batch")
        #expect(server.waitFor(held) == "job \(held) success returncode=0\n")
    }

    @Test func pauseAllHoldsEveryGroup() throws {
        let server = try ServerProcess()
        server.curl("/pause")
        let id = try server.submitAsync("true", extra: "&group=new-group")
        #expect(server.curl("/wait", data: "jobid=\(id)&timeout=0.3").body == "job \(id) queued returncode=-\n")
        #expect(server.curl("/resume").body == "Resumed all groups\n")
        #expect(server.waitFor(id).contains("success"))
    }
}
