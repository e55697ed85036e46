import Foundation
import Testing

@Suite("Integration: kept output and history")
struct OutputIntegrationTests {
    /// Followers share the bytes they are sent: 200 that never read a job
    /// printing 20 MB cost the server little (each is let go once it is
    /// 1 MiB behind), and the job runs to its end.
    @Test func followersThatNeverReadCostLittle() throws {
        let server = try ServerProcess(["--max-connections", "1000"])
        let gate = try server.makeGate()
        let id = try server.submitAsync("cat \(gate.path) >/dev/null; head -c 20000000 /dev/zero | tr '\\0' x")
        _ = try server.pidOnceRunning(id)
        let idle = try HTTPProtocolIntegrationTests.residentKiB(server.pid)
        let stalled = try (0..<200).map { _ in try RawConnection(port: server.port, receiveBuffer: 4096) }
        for client in stalled { #expect(client.send("GET /output?jobid=\(id)&follow=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) }
        #expect(stalled.allSatisfy { $0.waitForUnread("200 OK") })
        let waiter = try StreamingCurl(["--data", "jobid=\(id)", "\(server.base)/wait"])
        try gate.open("go")
        var peak = 0
        _ = eventually(timeout: 120) {
            peak = max(peak, (try? HTTPProtocolIntegrationTests.residentKiB(server.pid)) ?? 0)
            return (try? server.job(id))?["status"] as? String == "success"
        }
        #expect(waiter.remainingLines().first?.hasPrefix("job \(id) success") == true)
        // Each of the 200 held up to 1 MiB of its own copy before it was let go.
        #expect(peak - idle < 48 * 1024, "RSS grew by \(peak - idle) KiB with 200 followers that never read")
        #expect(stalled[0].readAll(timeout: 3).contains("jobsched: output dropped: this client reads too slowly"))
    }

    @Test func followStreamsARunningJobToTwoClientsAtOnce() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let id = try server.submitAsync("echo before; echo oops >&2; cat \(gate.path); echo after")
        let both = try StreamingCurl(["\(server.base)/output?jobid=\(id)&follow=1"])
        let errors = try StreamingCurl(["\(server.base)/output?jobid=\(id)&follow=1&stream=stderr"])
        #expect(both.nextLine() == "before")
        #expect(both.nextLine() == "oops")
        #expect(errors.nextLine() == "oops")
        try gate.open("go")
        // Each ends as a sync reply does: with the job's status line.
        #expect(both.remainingLines() == ["go", "after", "jobsched: job \(id) success returncode=0"])
        #expect(errors.remainingLines() == ["jobsched: job \(id) success returncode=0"])
        #expect(server.curl("/output?jobid=\(id)&stream=stdout").body == "before\ngo\nafter\n")
        #expect(server.curl("/output?jobid=\(id)").body == "before\noops\ngo\nafter\n")
    }

    @Test func followWorksForASyncJobFromAnotherClient() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let owner = try StreamingCurl(["--data-urlencode", "command=echo one; cat \(gate.path)", "\(server.base)/submit"])
        let id = try #require(Int64(owner.nextLine() ?? ""))
        #expect(owner.nextLine() == "one")
        let follower = try StreamingCurl(["\(server.base)/output?jobid=\(id)&follow=1"])
        #expect(follower.nextLine() == "one")
        try gate.open("two")
        #expect(follower.remainingLines() == ["two", "jobsched: job \(id) success returncode=0"])
        #expect(owner.remainingLines() == ["two", "jobsched: job \(id) success returncode=0"])
        let split = server.curl("/output?jobid=\(id)&stream=stdout")
        #expect(split.status == 409 && split.body.contains("sync job"))
    }

    /// The status line starts a line of its own, also after output without a final newline,
    /// and a follower that comes after the end gets it at once.
    @Test func followOfAnEndedJobEndsWithItsStatusLine() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("printf 'no newline'; exit 3")
        #expect(server.waitFor(id) == "job \(id) success returncode=3\n")
        #expect(server.curl("/output?jobid=\(id)&follow=1").body == "no newline\njobsched: job \(id) success returncode=3\n")
        #expect(server.curl("/output?jobid=\(id)").body == "no newline")
    }

    /// Output sent to outlog=/errlog= files is not in /output: the reply says where it went.
    @Test func outputOfAJobWithLogFilesSaysWhereItWent() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("echo to-out; echo to-err >&2", extra: "&outlog=out.txt")
        server.waitFor(id)
        let whole = server.curl("/output?jobid=\(id)")
        #expect(whole.status == 409)
        #expect(whole.body == "Error: job \(id)'s stdout went to the file '\(server.directory.url.resolvingSymlinksInPath().path)/out.txt'; its stderr is kept: add stream=stderr\n")
        #expect(server.curl("/output?jobid=\(id)&stream=stdout").body.contains("went to the file"))
        #expect(server.curl("/output?jobid=\(id)&stream=stderr").body == "to-err\n")
        let both = try server.submitAsync("true", extra: "&outlog=/dev/null&errlog=e.txt")
        server.waitFor(both)
        #expect(server.curl("/output?jobid=\(both)").body.contains("stdout went to the file '/dev/null' and its stderr to '"))
    }

    /// Async and sync jobs alike keep the last --max-log bytes of each
    /// stream, after a line that marks the cut.
    @Test func spoolKeepsTheTailWithinTheCap() throws {
        let server = try ServerProcess(["--max-log", "4096"])
        let marker = "jobsched: output cut: only the last 4096 bytes are kept\n"
        // About 40 KB on stdout, and 40 bytes on stderr (not cut).
        let printing = "seq 1 8000; echo 0123456789012345678901234567890123456789 >&2"
        let async = try server.submitAsync(printing)
        server.waitFor(async)
        let sync = server.curl("/submit", data: "command=seq 1 8000")
        #expect(sync.lines.count == 8002)  // the client still gets everything
        let syncID = try #require(Int64(sync.lines.first ?? ""))
        let stdoutTail = String(decoding: (1...8000).map { "\($0)\n" }.joined().utf8.suffix(4096), as: UTF8.self)
        for (query, kept) in [("jobid=\(async)&stream=stdout", stdoutTail),
                              ("jobid=\(syncID)", stdoutTail)] {
            let body = server.curl("/output?\(query)").body
            #expect(body == marker + kept, "\(query): \(body.utf8.count) bytes: \(body.prefix(80))")
            #expect(body.hasSuffix("7999\n8000\n"))
        }
        let both = server.curl("/output?jobid=\(async)").body
        #expect(both.hasPrefix(marker) && both.utf8.count == marker.utf8.count + 4096)
        #expect(server.curl("/output?jobid=\(async)&stream=stderr").body == "0123456789012345678901234567890123456789\n")
        // 229 KB: cut while it runs too, and the cut line is not cut again.
        let long = try server.submitAsync("seq 1 40000")
        server.waitFor(long)
        let longKept = server.curl("/output?jobid=\(long)").body
        #expect(longKept.hasPrefix(marker) && longKept.hasSuffix("39999\n40000\n"))
        #expect(longKept.utf8.count == marker.utf8.count + 4096)
        #expect(server.curl("/output?jobid=999").status == 404)
    }

    /// Kept output up to --max-log is read and sent a slice at a time: a
    /// client that reads nothing of 30 MB holds a slice of it, and the
    /// slices make the whole (cut line, then the last --max-log bytes).
    @Test func bigOutputIsSentAsItIsRead() throws {
        let writer = try ServerProcess(["--max-log", "30000000"])
        let line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n"  // 73 bytes
        let id = try writer.submitAsync("yes \(String(line.dropLast())) | head -c 40000000")
        writer.waitFor(id)
        // Read by a new server: the one that took the output in may have its memory to spare.
        #expect(writer.stop() == 0)
        let server = try ServerProcess(["--max-log", "30000000"], directory: writer.directory)
        let (held, reader) = try server.memoryHeld(byUnreadReplyTo: "GET /output?jobid=\(id) HTTP/1.1\r\n")
        #expect(held < 8 * 1024, "the server holds \(held) KiB for one reader")
        withExtendedLifetime(reader) {}
        let file = server.directory.file("kept")
        #expect(server.curl("/output?jobid=\(id)", extra: ["-o", file]).status == 200)
        let kept = try Data(contentsOf: URL(fileURLWithPath: file))
        let marker = Data("jobsched: output cut: only the last 30000000 bytes are kept\n".utf8)
        #expect(kept.count == marker.count + 30_000_000 && kept.prefix(marker.count) == marker)
        // The last 30,000,000 of 40,000,000 bytes of repeated lines: they start 10,000,000 bytes into one.
        let skip = 10_000_000 % line.utf8.count
        let expectedStart = Data(line.utf8.dropFirst(skip)) + Data(line.utf8)
        #expect(kept.dropFirst(marker.count).prefix(expectedStart.count) == expectedStart)
        #expect(server.curl("/output?jobid=\(id)", extra: ["-I"]).status == 200)
    }

    /// A running job's spool file is cut while a slow client reads its
    /// `/output`: the client still gets the output as it was when it asked, whole.
    @Test func aCutDuringASlowReadLeavesTheReplyWhole() throws {
        let server = try ServerProcess(["--max-log", "20000000"])
        let flag = server.directory.file("go-on")
        let id = try server.submitAsync("seq 1 3000000; while [ ! -e \(flag) ]; do sleep 0.05; done; seq 3000001 6000000")
        #expect(eventually(timeout: 60) { server.curl("/output?jobid=\(id)").body.hasSuffix("\n3000000\n") })
        let reader = try RawConnection(port: server.port, receiveBuffer: 4096)
        #expect(reader.send("GET /output?jobid=\(id) HTTP/1.0\r\n\r\n"))
        var received = reader.receive(atLeast: 100_000)
        // The job writes 24 MB more, its file cut meanwhile, while the reader waits.
        #expect(FileManager.default.createFile(atPath: flag, contents: nil))
        #expect(server.waitFor(id).contains("success"))
        received += reader.receive(atLeast: .max, timeout: 30)
        let text = String(decoding: received, as: UTF8.self)
        let body = try #require(text.range(of: "\r\n\r\n").map { text[$0.upperBound...] }, "\(text.prefix(200))")
        let output = (1...3_000_000).map { "\($0)\n" }.joined()
        let expected = "jobsched: output cut: only the last 20000000 bytes are kept\n" + String(decoding: output.utf8.suffix(20_000_000), as: UTF8.self)
        let whole = body == expected
        #expect(whole, "\(body.utf8.count) bytes, expected \(expected.utf8.count); ends \(body.suffix(20))")
    }

    @Test func removeCleanAndRestart() throws {
        let server = try ServerProcess()
        let done = try server.submitAsync("echo kept")
        let failed = try server.submitAsync("exit 3")
        let killed = try server.submitAsync("sleep 300")
        server.curl("/kill", data: "jobid=\(killed)")
        let running = try server.submitAsync("sleep 300")
        server.waitFor(done, failed, killed)
        // Small: kept in the database, and removed with its job.
        let keptOutput = { try sqlite3(server.databasePath, "SELECT count(*) FROM outputs WHERE id = \(done)") }
        #expect(try keptOutput() == "1\n")

        let restarted = server.curl("/restart", data: "jobid=\(done)")
        let again = try #require(Int64(restarted.body.dropLast()))
        #expect(server.waitFor(again) == "job \(again) success returncode=0\n")
        #expect(server.curl("/output?jobid=\(again)").body == "kept\n")
        #expect(server.curl("/restart", data: "jobid=\(running)").status == 409)

        let unknown = server.curl("/remove", data: "jobid=\(done),4242")
        #expect(unknown.status == 404 && unknown.body == "Error: unknown job id 4242\n")
        #expect(try keptOutput() == "1\n")
        let removal = server.curl("/remove", data: "jobid=\(done),\(running)")
        #expect(removal.lines == ["Job \(done) has been removed", "Error: job \(running) is running; kill it first"])
        #expect(try keptOutput() == "0\n")
        #expect(server.curl("/clean", data: "status=success").body == "Removed 2 jobs\n")
        #expect(server.curl("/clean", data: "before=2001-01-01T00:00:00Z").body == "Removed 0 jobs\n")
        #expect(server.curl("/clean").body == "Removed 1 jobs\n")
        #expect(server.curl("/jobinfo", data: "all=1&fields=jobid").lines == ["jobid", "\(running)"])
        server.curl("/kill", data: "jobid=\(running)")
    }

    @Test func keepFinishedCapsHistory() throws {
        let server = try ServerProcess(["--keep-finished", "2"])
        let ids = try (0..<5).map { _ in try server.submitAsync("true") }
        for id in ids { server.waitFor(id) }
        #expect(server.curl("/jobinfo", data: "all=1&fields=jobid").lines == ["jobid", "\(ids[3])", "\(ids[4])"])
    }

    /// The jobs kept are the last to finish, whatever their ids: an old job
    /// that has just ended stays, a younger one that ended earlier goes.
    @Test func keepFinishedKeepsTheMostRecentlyFinished() throws {
        let server = try ServerProcess(["--keep-finished", "2"])
        let gate = try server.makeGate()
        let slow = try server.submitAsync("cat \(gate.path)")
        let held = try server.submitAsync("true", extra: "&delay=600")
        let quick = try (0..<3).map { _ in try server.submitAsync("true") }
        for id in quick { server.waitFor(id) }
        func kept() -> [String] { Array(server.curl("/jobinfo", data: "all=1&fields=jobid,status").lines.dropFirst()) }
        #expect(kept() == ["\(slow)\trunning", "\(held)\tqueued", "\(quick[1])\tsuccess", "\(quick[2])\tsuccess"])
        server.curl("/kill", data: "jobid=\(held)")
        #expect(kept() == ["\(slow)\trunning", "\(held)\tkilled", "\(quick[2])\tsuccess"])
        try gate.open("go")
        server.waitFor(slow)
        #expect(kept() == ["\(slow)\tsuccess", "\(held)\tkilled"])
    }
}
