import Foundation
import Glibc
import Testing

/// Requests that name tens of thousands of jobs (`/kill`, `/remove`, `/wait`),
/// sorted listings, and `--keep-finished` trimming a big excess are made a
/// step at a time: other clients are served between the steps, and a reply
/// is sent a slice at a time as its client reads it.
@Suite("Integration: many ids in steps", .serialized)
struct ManyIDsIntegrationTests {
    static let count = 30_000

    /// A form body naming every queued job, in a file (too long for an argument).
    private func idsFile(_ server: ServerProcess, _ ids: ClosedRange<Int> = 1...count, prefix: String = "") throws -> String {
        let path = server.directory.file("ids")
        try (prefix + "jobid=" + ids.map(String.init).joined(separator: ",")).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func isChunked(_ server: ServerProcess, _ path: String, body: String) -> Bool {
        server.curl(path, extra: ["--data-binary", "@\(body)", "-o", "/dev/null", "-D", "-"]).body.lowercased()
            .contains("transfer-encoding: chunked")
    }

    /// Jobs submitted while a `/kill` of 30,000 ids is under way are taken
    /// between its steps: a submit's event comes between the kill's first and last.
    @Test func aBigKillLetsOthersInBetweenItsSteps() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        let events = try EventStreamClient(server)
        #expect(events.waitUntilConnected())
        // Submits one after another on one connection (curl's URL range), from
        // before the kill starts until after it ends: however loaded the
        // machine, one is on its way while the kill goes on. (A single submit
        // timed to land mid-kill came too late on a loaded machine.)
        let submits = try StreamingCurl(["-o", "/dev/null", "\(server.base)/submit?sync=0&group=other&command=true&name=s[1-1000000]"])
        #expect(events.events(until: { $0.name == "submitted" }).last?.name == "submitted")
        let kill = try StreamingCurl(["--data-binary", "@\(try idsFile(server))", "\(server.base)/kill"])
        let seen = events.events(until: { $0.summary == "killed \(Self.count)" })
        submits.killClient()
        let firstKill = try #require(seen.firstIndex { $0.summary == "killed 1" })
        let submittedMeanwhile = seen[firstKill...].dropLast().filter { $0.name == "submitted" }.count
        #expect(submittedMeanwhile > 0, "\(seen.count) events")
        let reply = kill.remainingLines()
        #expect(reply.count == Self.count && reply.allSatisfy { $0.hasSuffix("has been killed") } && reply.first == "Job 1 has been killed")
        // Killing them again: each one's line says it had finished, in a reply sent in slices.
        let again = server.curl("/kill", extra: ["--data-binary", "@\(try idsFile(server, prefix: "format=json&"))"])
        let results = try #require((try JSONSerialization.jsonObject(with: Data(again.body.utf8)) as? [String: Any])?["results"] as? [[String: Any]])
        #expect(results.count == Self.count && results.allSatisfy { $0["killed"] as? Bool == false })
        #expect(results.last?["message"] as? String == "Error: job \(Self.count) has already finished (killed)")
        #expect(isChunked(server, "/kill", body: try idsFile(server)))
    }

    /// `/remove` of 30,000 finished jobs: every one goes, one `removed` event
    /// says so, and the reply is sent in slices; an unknown id among them is
    /// a 404 and removes nothing.
    @Test func aBigRemoveIsOneEventAndASlicedReply() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        #expect(server.curl("/kill", extra: ["--data-binary", "@\(try idsFile(server))"]).status == 200)
        let unknown = server.curl("/remove", extra: ["--data-binary", "@\(try idsFile(server, 1...(Self.count + 1)))"])
        #expect(unknown.status == 404 && unknown.body == "Error: unknown job id \(Self.count + 1)\n", "\(unknown)")
        #expect(server.curl("/jobinfo", data: "all=1&fields=jobid").lines.count == Self.count + 1)

        let events = try EventStreamClient(server)
        #expect(events.waitUntilConnected())
        let removal = try StreamingCurl(["-D", "-", "--data-binary", "@\(try idsFile(server))", "\(server.base)/remove"])
        let removed = try #require(events.next())
        #expect(removed.name == "removed" && removed.data["count"] as? Int == Self.count, "\(removed)")
        #expect(removed.data["ranges"] as? [[Int]] == [[1, Self.count]])
        let reply = removal.remainingLines()
        #expect(reply.contains { $0.lowercased().hasPrefix("transfer-encoding: chunked") }, "\(reply.prefix(8))")
        #expect(reply.filter { $0.hasSuffix("has been removed") }.count == Self.count)
        #expect(server.curl("/jobinfo", data: "all=1&fields=jobid").lines.count == 1)
        // Their output files go too.
        let spool = server.databasePath + ".spool"
        #expect(eventually(timeout: 60) { ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? ["?"]).allSatisfy { $0.hasPrefix(".") } })
    }

    /// A `/wait` on 30,000 jobs of 1 KB commands answered to a client that
    /// reads nothing: the server holds a slice of the 40 MB reply, not all of it.
    @Test func aBigWaitReplyIsSentAsItIsRead() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        #expect(server.curl("/kill", extra: ["--data-binary", "@\(try idsFile(server))"]).status == 200)
        #expect(server.curl("/wait", data: "jobid=1&format=json").status == 200)
        let form = "format=json&jobid=" + (1...Self.count).map(String.init).joined(separator: ",")
        let (held, reader) = try server.memoryHeld(byUnreadReplyTo: "POST /wait HTTP/1.1\r\nContent-Length: \(form.utf8.count)\r\n",
                                                   body: form)
        #expect(held < 8 * 1024, "the server holds \(held) KiB for one reader")
        withExtendedLifetime(reader) {}
        let whole = server.curl("/wait", extra: ["--data-binary", "@\(try idsFile(server, prefix: "format=json&"))"])
        let jobs = try #require((try JSONSerialization.jsonObject(with: Data(whole.body.utf8)) as? [String: Any])?["jobs"] as? [[String: Any]])
        let listed = jobs.compactMap { $0["jobid"] as? Int }
        let inOrder = listed == Array(1...Self.count)
        #expect(inOrder, "\(listed.count) jobs: \(listed.prefix(5))…")
        // fail=1 looks at every job before the status: 409, and the same jobs.
        let failed = server.curl("/wait", extra: ["--data-binary", "@\(try idsFile(server, prefix: "fail=1&"))"])
        #expect(failed.status == 409 && failed.lines.count == Self.count)
    }

    /// A `/wait` on many jobs, some still queued: held until the last ends.
    @Test func aBigWaitIsHeldUntilItsLastJobEnds() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        let wait = try StreamingCurl(["--data-binary", "@\(try idsFile(server))", "\(server.base)/wait"])
        let events = try EventStreamClient(server)
        #expect(events.waitUntilConnected())
        #expect(server.curl("/kill", extra: ["--data-binary", "@\(try idsFile(server, 1...(Self.count - 1)))"]).status == 200)
        #expect(server.curl("/kill", data: "jobid=\(Self.count)").status == 200)
        let lines = wait.remainingLines()
        #expect(lines.count == Self.count && lines.last == "job \(Self.count) killed returncode=-", "\(lines.suffix(2))")
    }

    /// A listing in another order than id is made in passes too: a client
    /// that reads nothing holds a slice, and the order is the one asked.
    @Test func aSortedListingIsSentAsItIsRead() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        #expect(server.curl("/jobinfo", data: "fields=jobid&limit=10&sort=name").status == 200)
        let (held, reader) = try server.memoryHeld(byUnreadReplyTo: "GET /jobinfo?format=json&sort=-submitted HTTP/1.1\r\n")
        #expect(held < 8 * 1024, "the server holds \(held) KiB for one reader")
        withExtendedLifetime(reader) {}
        // The batch's jobs share one submission time: ties go by id.
        let later = try (1...3).map { try server.submitAsync("true", extra: "&priority=\($0)") }
        let newest = server.curl("/jobinfo", data: "fields=jobid&sort=-submitted").lines.dropFirst().compactMap { Int64($0) }
        let expected = later.reversed() + (1...Int64(Self.count))
        let inOrder = newest == expected
        #expect(inOrder, "\(newest.count) jobs: \(newest.prefix(5))…")
        let top = server.curl("/jobinfo", data: "fields=jobid&sort=-priority&limit=2")
        #expect(top.lines.dropFirst().compactMap { Int64($0) } == [later[2], later[1]], "\(top)")
        let table = server.curl("/jobinfo", data: "view=table&fields=jobid,status&sort=status")
        #expect(table.lines.count == Self.count + later.count + 1 && table.lines.first?.hasPrefix("ID") == true)
    }

    /// A restart with a much lower `--keep-finished` trims the excess a page
    /// at a time (a `removed` event each), not in one statement.
    @Test func aBigExcessOfFinishedJobsIsTrimmedInPages() throws {
        let first = try ServerProcess.withBigQueue(Self.count)
        #expect(first.curl("/kill", extra: ["--data-binary", "@\(try idsFile(first))"]).status == 200)
        #expect(first.stop() == 0)
        let server = try ServerProcess(["--keep-finished", "10"], directory: first.directory)
        let events = try EventStreamClient(server)
        #expect(events.waitUntilConnected())
        let id = try server.submitAsync("true", extra: "&group=other")
        var removed = 0
        var pages = 0
        while removed < Self.count + 1 - 10, let event = events.next() {
            guard event.name == "removed" else { continue }
            let count = try #require(event.data["count"] as? Int)
            #expect(count <= 256)
            removed += count
            pages += 1
        }
        #expect(removed == Self.count + 1 - 10 && pages >= (Self.count - 10) / 256)
        let left = server.curl("/jobinfo", data: "all=1&fields=jobid").lines.dropFirst().compactMap { Int64($0) }
        #expect(left.count == 10 && left.contains(id))
    }
}
