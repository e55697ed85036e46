import Foundation
import Testing

@Suite("Integration: /health and batch submit")
struct BatchSubmitIntegrationTests {
    @Test func healthAnswersOkAndIsListed() throws {
        let server = try ServerProcess()
        let text = server.curl("/health")
        #expect(text.status == 200 && text.body == "ok\n", "\(text)")
        #expect(server.curl("/health?format=json").body == "{\"status\": \"ok\"}\n")
        #expect(server.curl("/help").body.contains("/health\t"))
    }

    /// Sends `body` as is (`curl --data-binary @file`) to `/submit?QUERY`.
    private func batch(_ server: ServerProcess, _ body: [UInt8], query: String) throws -> CurlResult {
        let file = server.directory.file("batch-\(UUID().uuidString.prefix(8))")
        _ = FileManager.default.createFile(atPath: file, contents: Data(body))
        return Curl.run(["--data-binary", "@\(file)", "\(server.base)/submit?\(query)"])
    }

    private func count(_ server: ServerProcess, where condition: String) throws -> String {
        try sqlite3(server.databasePath, "SELECT count(*) FROM jobs WHERE \(condition)")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func idsInOrderAllCommittedBeforeTheReply() throws {
        // One slot held, so the batch stays queued while it is inspected.
        let server = try ServerProcess(["-j", "1"])
        let gate = try server.makeGate()
        let blocker = try server.submitAsync("cat \(gate.path)")
        let commands = (1...300).map { "echo \($0) > out-\($0).txt" }
        let result = try batch(server, Array((commands.joined(separator: "\n") + "\n").utf8),
                               query: "lines=1&sync=0&group=batch&name=b")
        #expect(result.status == 200, "\(result)")
        let ids = result.lines.compactMap(Int64.init)
        #expect(ids.count == 300 && ids == Array((blocker + 1)...(blocker + 300)))
        // Another connection to the database sees every row at once: committed.
        #expect(try count(server, where: "grp = 'batch' AND name = 'b' AND status = 'queued'") == "300")
        #expect(try server.job(ids[41])["command"] as? String == commands[41])
        try gate.open("go")
        #expect(server.waitFor(ids.last!).hasSuffix("success returncode=0\n"))
        #expect(try String(contentsOfFile: server.directory.file("out-300.txt"), encoding: .utf8) == "300\n")
        let json = try batch(server, Array("true\ntrue\n".utf8), query: "lines=1&sync=0&format=json")
        #expect(json.body == "{\"jobids\": [\(ids.last! + 1), \(ids.last! + 2)]}\n")
    }

    /// The queued count of `/overview` (kept in memory, as the runner queues jobs).
    private func queuedCount(_ server: ServerProcess) -> Int? {
        let reply = server.curl("/overview?format=json")
        let object = try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        return ((object?["counts"] as? [String: Any])?["queued"] as? NSNumber)?.intValue
    }

    /// A batch of `lines` `true` jobs sent while the default group is paused;
    /// its curl prints the status code last.
    private func pausedBatch(_ server: ServerProcess, lines: Int) throws -> StreamingCurl {
        #expect(server.curl("/pause", data: "group=default").status == 200)
        let file = server.directory.file("batch")
        _ = FileManager.default.createFile(atPath: file, contents: Data(String(repeating: "true\n", count: lines).utf8))
        return try StreamingCurl(["-w", "%{http_code}\n", "--data-binary", "@\(file)", "\(server.base)/submit?lines=1&sync=0"])
    }

    /// A big batch is written and queued a step at a time: a client asking
    /// meanwhile is answered with the jobs queued so far, not after all of them.
    @Test func aBigBatchIsQueuedAStepAtATimeWhileOthersAreServed() throws {
        let server = try ServerProcess()
        let lines = 60_000
        let batch = try pausedBatch(server, lines: lines)
        var seen: Set<Int> = []
        while seen.count < 10_000 {
            guard let queued = queuedCount(server) else { break }
            seen.insert(queued)
            if queued == lines { break }
        }
        let reply = batch.remainingLines()
        #expect(reply.count == lines + 1 && reply.last == "200", "\(reply.suffix(3))")
        #expect(seen.contains { $0 > 0 && $0 < lines }, "queued counts seen: \(seen.sorted())")
        #expect(queuedCount(server) == lines)
    }

    /// A queued job holds in the server only what its scheduling needs (its
    /// other fields are shared with its batch's template, or read from the
    /// store): 100,000 queued `true` jobs cost under 600 bytes each (over
    /// 1,000 each when every job held its whole record; 364 each at a million).
    @Test func aQueuedJobCostsLittleMemory() throws {
        let server = try ServerProcess()
        let warmUp = try pausedBatch(server, lines: 10)
        #expect(warmUp.remainingLines().last == "200")
        let idle = try HTTPProtocolIntegrationTests.residentKiB(server.pid)
        let lines = 100_000
        #expect(try pausedBatch(server, lines: lines).remainingLines().last == "200")
        // What the batch needed on its way is freed and given back (within 10 s).
        var perJob = Int.max
        _ = eventually(timeout: 30) {
            let now = (try? HTTPProtocolIntegrationTests.residentKiB(server.pid)) ?? Int.max / 1024
            perJob = (now - idle) * 1024 / lines
            return perJob < 600
        }
        #expect(perJob < 600, "\(perJob) bytes per queued job")
        #expect(queuedCount(server) == lines + 10)
    }

    /// A shutdown during a big batch keeps all of it or none: a batch still
    /// being written is taken back (503), one already recorded is answered
    /// with its ids and its jobs end with the other queued ones.
    @Test(arguments: [0, 200, 1500])
    func aShutdownDuringABatchKeepsAllOrNone(delayMilliseconds: Int) throws {
        let server = try ServerProcess()
        let lines = 50_000
        let batch = try pausedBatch(server, lines: lines)
        // Once the batch's first row is written (the server's own reads see it before its commit), and a moment more.
        #expect(eventually { server.curl("/jobinfo?jobid=1").lines.count == 2 })
        usleep(useconds_t(delayMilliseconds * 1000))
        #expect(server.stop(signal: SIGTERM) == 0)
        let reply = batch.remainingLines()
        let recorded = try count(server, where: "1")
        if reply.last == "503" {
            #expect(recorded == "0" && reply.first?.contains("no job of the batch was recorded") == true, "\(reply.prefix(2))")
        } else {
            #expect(reply.count == lines + 1 && reply.last == "200", "\(reply.suffix(2))")
            #expect(recorded == "\(lines)")
            #expect(try count(server, where: "status = 'killed'") == "\(lines)")
        }
    }

    @Test func badLineRejectsTheWholeBatch() throws {
        let server = try ServerProcess()
        let body = Array("echo 1\necho 2\n\necho ".utf8) + [0xC3, 0x28] + Array("\necho 5\n".utf8)
        let result = try batch(server, body, query: "lines=1&sync=0")
        #expect(result.status == 400 && result.body == "Error: line 4: not valid UTF-8\n", "\(result)")
        #expect(try count(server, where: "1") == "0")
        #expect(server.curl("/jobinfo?all=1").lines.count == 1)
    }

    /// The lines are read a part at a time, all before any job exists: a bad
    /// last line of 30,000 refuses the batch, and nothing of it was recorded.
    @Test func aBadLastLineOfABigBatchCreatesNoJob() throws {
        let server = try ServerProcess()
        let body = Array(String(repeating: "true\n", count: 29_999).utf8) + Array("echo ".utf8) + [0]
        let result = try batch(server, body, query: "lines=1&sync=0")
        #expect(result.status == 400 && result.body == "Error: line 30000: contains a NUL byte\n", "\(result)")
        #expect(try count(server, where: "1") == "0")
        #expect(server.curl("/jobinfo?all=1").lines.count == 1)
        #expect(server.curl("/metrics").body.contains("jobsched_jobs_submitted_total 0"))
    }

    @Test func linesNeedsSyncZeroAndTheQueryString() throws {
        let server = try ServerProcess()
        let sync = try batch(server, Array("true\n".utf8), query: "lines=1")
        #expect(sync.status == 400 && sync.body.contains("lines=1 needs sync=0"), "\(sync)")
        let sync1 = try batch(server, Array("true\n".utf8), query: "lines=1&sync=1")
        #expect(sync1.status == 400, "\(sync1)")
        let inBody = server.curl("/submit", data: "lines=1&sync=0&command=true")
        #expect(inBody.status == 400 && inBody.body.contains("query string"), "\(inBody)")
        let empty = try batch(server, Array("\n\n".utf8), query: "lines=1&sync=0")
        #expect(empty.status == 400, "\(empty)")
        #expect(try count(server, where: "1") == "0")
    }
}
