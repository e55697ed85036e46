import Foundation
import Glibc
import Testing

/// One Server-Sent Event as a client reads it.
struct StreamEvent {
    var id: UInt64?
    var name = ""
    var data: [String: Any] = [:]
    var jobID: Int64? { (data["jobid"] as? NSNumber)?.int64Value }
    var status: String? { data["status"] as? String }
    /// `started 3`, `finished 3 success`, `group x`: what a test compares.
    var summary: String {
        if let jobID { return [name, String(jobID), name == "finished" ? status ?? "" : ""].filter { !$0.isEmpty }.joined(separator: " ") }
        if let group = data["name"] as? String { return "\(name) \(group)" }
        return name
    }
}

/// `curl -N /events`, read event by event.
final class EventStreamClient {
    let curl: StreamingCurl
    /// The comment lines seen (keep-alives).
    private(set) var comments = 0

    init(_ server: ServerProcess, query: String = "", lastEventID: UInt64? = nil, extra: [String] = []) throws {
        let header = lastEventID.map { ["-H", "Last-Event-ID: \($0)"] } ?? []
        curl = try StreamingCurl(header + extra + ["\(server.base)/events\(query.isEmpty ? "" : "?" + query)"])
    }

    /// The next event, skipping comments; nil when the stream ends or nothing comes in `timeout`.
    func next(timeout: Double = 60) -> StreamEvent? {
        var event = StreamEvent()
        var hasField = false
        while let line = curl.nextLine(timeout: timeout) {
            if line.isEmpty {
                if hasField { return event }
                continue
            }
            if line.hasPrefix(":") { comments += 1; continue }
            hasField = true
            if line.hasPrefix("id: ") { event.id = UInt64(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") {
                event.data = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any] ?? [:]
            }
        }
        return nil
    }

    /// Events until one matches `last` (included).
    func events(until last: (StreamEvent) -> Bool, timeout: Double = 60) -> [StreamEvent] {
        var seen: [StreamEvent] = []
        while let event = next(timeout: timeout) {
            seen.append(event)
            if last(event) { break }
        }
        return seen
    }

    /// Waits for the first comment: the stream is set up on the server.
    func waitUntilConnected() -> Bool {
        curl.nextLine(timeout: 60)?.hasPrefix(":") ?? false
    }
}

@Suite("Integration: /events")
struct EventsIntegrationTests {
    @Test func changesArriveInOrderWithIncreasingIDs() throws {
        let server = try ServerProcess(["-j", "1"])
        let stream = try EventStreamClient(server)
        #expect(stream.waitUntilConnected())
        let first = try server.submitAsync("echo hi")
        #expect(server.waitFor(first) == "job \(first) success returncode=0\n")
        let gate = try server.makeGate()
        let held = try server.submitAsync("cat \(gate.path)")
        let queued = try server.submitAsync("true")
        #expect(server.curl("/kill", data: "jobid=\(queued)").status == 200)
        try gate.open("go")
        #expect(server.waitFor(held).hasPrefix("job \(held) success"))
        #expect(server.curl("/group", data: "name=batch&limit=2").status == 200)
        #expect(server.curl("/remove", data: "jobid=\(first)").status == 200)
        let events = stream.events { $0.name == "removed" }
        #expect(events.map(\.summary) == [
            "submitted \(first)", "started \(first)", "finished \(first) success",
            "submitted \(held)", "started \(held)", "submitted \(queued)", "killed \(queued)",
            "finished \(held) success", "group batch", "removed",
        ])
        let ids = events.compactMap(\.id)
        #expect(ids.count == events.count && ids == ids.sorted() && Set(ids).count == ids.count)
        // The data is the job as /jobinfo?format=json has it.
        let killed = try #require(events.first { $0.name == "killed" })
        #expect(killed.status == "killed" && killed.data["msg"] as? String == "killed by /kill")
        #expect(events.last?.data["ranges"] as? [[Int]] == [[Int(first), Int(first)]] && events.last?.data["count"] as? Int == 1)
    }

    @Test func filtersLikeJobinfo() throws {
        let server = try ServerProcess()
        let onlyA = try EventStreamClient(server, query: "group=a&status=success,failed")
        #expect(onlyA.waitUntilConnected())
        let other = try server.submitAsync("true", extra: "&group=b")
        let mine = try server.submitAsync("exit 2", extra: "&group=a")
        _ = server.waitFor(other, mine)
        // Only the end of a's job: the other statuses and group b's job are filtered out.
        let event = try #require(onlyA.next())
        #expect(event.summary == "finished \(mine) success" && event.data["returncode"] as? Int == 2)
        let bad = server.curl("/events", data: "status=done")
        #expect(bad.status == 400 && bad.body.contains("unknown status"))
    }

    @Test func aClientResumesFromLastEventID() throws {
        let server = try ServerProcess()
        let stream = try EventStreamClient(server)
        #expect(stream.waitUntilConnected())
        let first = try server.submitAsync("true")
        let seen = stream.events { $0.name == "started" }
        stream.curl.killClient()
        let resumeFrom = try #require(seen.last?.id)
        let second = try server.submitAsync("true")
        _ = server.waitFor(first, second)
        let resumed = try EventStreamClient(server, lastEventID: resumeFrom)
        let missed = resumed.events { $0.summary == "finished \(second) success" }
        #expect(missed.map(\.summary) == ["finished \(first) success", "submitted \(second)", "started \(second)",
                                          "finished \(second) success"])
        #expect(missed.first?.id == resumeFrom + 1)
    }

    /// What a resuming client missed is sent a slice at a time as it reads:
    /// one that reads nothing holds one slice of the server's memory, not all
    /// it missed; one that reads gets every event once, in order, then live ones.
    @Test func aBigResumeIsSentAsItIsRead() throws {
        let server = try ServerProcess(["--event-history", "5000"])
        #expect(server.curl("/pause", data: "group=default").status == 200)
        let before = try #require(lastEventID(server))
        let count = 3000
        let body = server.directory.file("batch")
        try String(repeating: "echo " + String(repeating: "x", count: 4000) + "\n", count: count)
            .write(toFile: body, atomically: true, encoding: .utf8)
        let batch = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", "@\(body)"])
        #expect(batch.lines.count == count)
        #expect(server.curl("/jobinfo", data: "limit=1").status == 200)
        // About 12 MB missed, to a client that reads none of it.
        let (held, stalled) = try server.memoryHeld(byUnreadReplyTo: "GET /events HTTP/1.1\r\nLast-Event-ID: \(before)\r\n")
        #expect(held < 8 * 1024, "the server holds \(held) KiB for one resuming client")

        let reader = try EventStreamClient(server, lastEventID: before)
        let missed = reader.events(until: { $0.jobID == Int64(count) })
        #expect(missed.count == count && missed.allSatisfy { $0.name == "submitted" })
        #expect(missed.compactMap(\.id) == Array(before + 1 ... before + UInt64(count)))
        #expect(server.curl("/group", data: "name=live&limit=1").status == 200)
        #expect(reader.next()?.summary == "group live")
        withExtendedLifetime(stalled) {}
    }

    @Test func aClientTooFarBehindIsToldToReload() throws {
        let server = try ServerProcess(["--event-history", "5"])
        let before = try #require(lastEventID(server))
        let ids = try (0..<3).map { _ in try server.submitAsync("true") }
        _ = server.waitFor(ids[0], ids[1], ids[2])
        let now = try #require(lastEventID(server))
        #expect(now == before + 9)
        // Nine events since: the first four are gone.
        let behind = try EventStreamClient(server, lastEventID: before)
        let reset = try #require(behind.next())
        #expect(reset.name == "reset" && reset.id == now)
        // An id this run never gave out (a server that restarted) is a reset too.
        let foreign = try EventStreamClient(server, lastEventID: now + 1000)
        #expect(foreign.next()?.name == "reset")
        // Within the history: what was missed, then live events.
        let recent = try EventStreamClient(server, lastEventID: now - 2)
        #expect(recent.next()?.id == now - 1)
        let bad = server.curl("/events", extra: ["-H", "Last-Event-ID: yesterday"])
        #expect(bad.status == 400 && bad.body.contains("Last-Event-ID"))
    }

    /// A client that stops reading is dropped; the jobs go on at full speed meanwhile.
    @Test func aSlowReaderIsDroppedAndJobsKeepFinishing() throws {
        let server = try ServerProcess(["-j", "4"])
        let reader = try RawConnection(port: server.port, receiveBuffer: 4096)
        reader.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let live = try EventStreamClient(server, query: "status=killed")
        #expect(live.waitUntilConnected())
        let connected = server.socketCount
        let count = 6000
        let batch = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", String(repeating: "true\n", count: count)])
        #expect(batch.status == 200 && batch.lines.count == count)
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(server.waitFor(ids.first!, ids.last!).hasSuffix("job \(ids.last!) success returncode=0\n"))
        // About 3 events of 450 bytes per job were due: far more than the 1 MiB a client may
        // leave unsent for 5 s, which a keep-alive (each 15 s) finds if the jobs ended sooner.
        #expect(eventually(timeout: 60) { server.socketCount < connected }, "the slow reader was never dropped")
        let received = reader.readAll(timeout: 60)
        let finished = received.components(separatedBy: "event: finished\n").count - 1
        #expect(received.hasPrefix("HTTP/1.1 200") && finished < count, "\(finished) of \(count) ends came")
        // A client that reads is still served.
        let job = try server.submitAsync("sleep 300")
        #expect(server.curl("/kill", data: "jobid=\(job)").status == 200)
        #expect(live.next()?.summary == "killed \(job)")
    }

    @Test func streamsEndCleanlyAtShutdown() throws {
        let server = try ServerProcess()
        let stream = try EventStreamClient(server)
        #expect(stream.waitUntilConnected())
        let id = try server.submitAsync("sleep 300")
        #expect(stream.events { $0.name == "started" }.last?.jobID == id)
        #expect(server.curl("/shutdown").status == 200)
        let rest = stream.events { _ in false }
        #expect(rest.map(\.summary) == ["shutdown", "killed \(id)"])
        // The reply ended properly (curl exits 0, not 18 for a cut transfer).
        #expect(stream.curl.waitForExit() == 0)
        #expect(server.waitForExit() == 0)
    }

    @Test func idleStreamsGetAKeepAliveEvery15Seconds() throws {
        let server = try ServerProcess()
        let stream = try EventStreamClient(server)
        #expect(stream.waitUntilConnected())
        let started = Date()
        #expect(stream.curl.nextLine(timeout: 60) == "")
        #expect(stream.curl.nextLine(timeout: 60) == ": keep-alive")
        #expect(Date().timeIntervalSince(started) > 10)
    }

    @Test func streamsFollowTheAccessRulesAndCountAsConnections() throws {
        let tokenServer = try ServerProcess(environment: ["JOBSCHED_TOKEN": "s3cret-token-for-events"])
        #expect(tokenServer.curl("/events").status == 401)
        #expect(tokenServer.curl("/events", extra: ["-H", "Origin: http://evil.example"]).status == 403)
        let authorized = try EventStreamClient(tokenServer, extra: ["-H", "Authorization: Bearer s3cret-token-for-events"])
        #expect(authorized.waitUntilConnected())

        let server = try ServerProcess(["--max-connections", "2"])
        var streams = try (0..<2).map { _ in try EventStreamClient(server) }
        #expect(streams.allSatisfy { $0.waitUntilConnected() })
        let waiting = try RawConnection(port: server.port)
        waiting.send("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        #expect(waiting.status(timeout: 2) == nil)
        streams[0].curl.killClient()
        streams.removeFirst()
        #expect(waiting.status(timeout: 30) == 200)
    }

    /// A `/remove` of several jobs, and a `/clean` of many (several of its
    /// pages), are one `removed` event each, whose ranges are exactly the ids
    /// that went; their spool files go too.
    @Test func eachRemovalIsOneEventWithTheIDsAsRanges() throws {
        let server = try ServerProcess(["-j", "2"])
        // Only removals pass: no job is in group none.
        let stream = try EventStreamClient(server, query: "group=none")
        #expect(stream.waitUntilConnected())
        // 700 jobs that print more than is kept in the database: a spool file each.
        let file = server.directory.file("batch")
        _ = FileManager.default.createFile(atPath: file, contents: Data((1...700).map { "echo \($0); head -c 5000 /dev/zero\n" }.joined().utf8))
        let submitted = Curl.run(["--data-binary", "@\(file)", "\(server.base)/submit?lines=1&sync=0"])
        let ids = submitted.lines.compactMap(Int64.init)
        try #require(ids.count == 700, "\(submitted)")
        _ = server.curl("/wait", data: "jobid=" + ids.map(String.init).joined(separator: ","))
        let spool = server.databasePath + ".spool"
        let outputFiles = { (try? FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".stdout") }.count) ?? -1 }
        #expect(outputFiles() == 700)

        let every100th = ids.enumerated().filter { ($0.offset + 1) % 100 == 0 }.map(\.element)
        #expect(server.curl("/remove", data: "jobid=" + every100th.reversed().map(String.init).joined(separator: ",")).status == 200)
        let removal = try #require(stream.next())
        #expect(removal.name == "removed" && removal.data["count"] as? Int == 7)
        #expect(removal.data["ranges"] as? [[Int]] == every100th.map { [Int($0), Int($0)] })

        #expect(server.curl("/clean").body == "Removed 693 jobs\n")
        let clean = try #require(stream.next())
        var expected: [[Int]] = []
        var first = ids[0]
        for gap in every100th {
            expected.append([Int(first), Int(gap - 1)])
            first = gap + 1
        }
        #expect(clean.name == "removed" && clean.data["count"] as? Int == 693)
        #expect(clean.data["ranges"] as? [[Int]] == expected)
        #expect(eventually { outputFiles() == 0 })
        #expect(server.curl("/jobinfo", data: "all=1&format=json").body == "{\"jobs\": []}\n")
        // Nothing more came of that clean: the next event is the next removal's.
        let last = try server.submitAsync("true")
        _ = server.waitFor(last)
        #expect(server.curl("/remove", data: "jobid=\(last)").status == 200)
        #expect(try #require(stream.next()).data["ranges"] as? [[Int]] == [[Int(last), Int(last)]])
    }

    /// Batches of events go to every client as one shared copy, framed once
    /// as a chunk for HTTP/1.1 streams and sent as they are to HTTP/1.0 ones.
    @Test(arguments: ["1.1", "1.0"])
    func eventsAreFramedForTheClientsHTTPVersion(version: String) throws {
        let server = try ServerProcess()
        let client = try RawConnection(port: server.port)
        #expect(client.send("GET /events HTTP/\(version)\r\nHost: 127.0.0.1\r\n\r\n"))
        #expect(client.waitForUnread(": keep-alive"))
        let id = try server.submitAsync("true")
        _ = server.waitFor(id)
        #expect(server.stop() == 0)
        let reply = Array(client.readAll(timeout: 30).utf8)
        let end = reply.indices.first { reply[$0...].starts(with: Array("\r\n\r\n".utf8)) } ?? reply.endIndex
        let head = String(decoding: reply[..<end], as: UTF8.self)
        let body = String(decoding: reply[min(end + 4, reply.endIndex)...], as: UTF8.self)
        if version == "1.1" {
            #expect(head.contains("Transfer-Encoding: chunked"), "\(head)")
            // Every chunk is SIZE CRLF, its bytes, CRLF; the last is empty.
            var rest = Array(body.utf8)[...]
            var events: [UInt8] = []
            while let lineEnd = rest.firstIndex(of: UInt8(ascii: "\r")) {
                guard let size = Int(String(decoding: rest[..<lineEnd], as: UTF8.self), radix: 16),
                      rest.count >= lineEnd - rest.startIndex + 2 + size + 2 else {
                    Issue.record("not a chunk: \(String(decoding: rest.prefix(40), as: UTF8.self))")
                    break
                }
                let data = rest[(lineEnd + 2)...].prefix(size)
                events += data
                rest = rest[data.endIndex...]
                #expect(rest.starts(with: [13, 10]))
                rest = rest.dropFirst(2)
                if size == 0 { break }
            }
            let text = String(decoding: events, as: UTF8.self)
            #expect(text.contains("event: submitted\n") && text.contains("event: finished\n"), "\(text)")
        } else {
            #expect(!head.contains("chunked"), "\(head)")
            #expect(body.contains("\nevent: submitted\n") && body.contains("\nevent: finished\n") && !body.contains("\r\n"), "\(body)")
        }
    }

    /// Hundreds of clients that never read cost the server little memory (a
    /// shared copy of each batch, and a kernel buffer of about 256 KB each)
    /// while a client that reads gets every event.
    @Test func clientsThatNeverReadCostLittle() throws {
        let server = try ServerProcess(["-j", "4", "--max-connections", "1000"])
        let reader = try EventStreamClient(server, query: "status=success")
        #expect(reader.waitUntilConnected())
        let idle = try HTTPProtocolIntegrationTests.residentKiB(server.pid)
        let stalled = try (0..<300).map { _ in try RawConnection(port: server.port, receiveBuffer: 4096) }
        for client in stalled { #expect(client.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) }
        let count = 3000
        let file = server.directory.file("batch")
        _ = FileManager.default.createFile(atPath: file, contents: Data(String(repeating: "echo \(String(repeating: "x", count: 200))\n", count: count).utf8))
        let batch = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", "@\(file)"])
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(ids.count == count)
        var peak = 0
        var seen = 0
        while seen < count, reader.next(timeout: 60)?.name == "finished" {
            seen += 1
            if seen % 100 == 0 { peak = max(peak, (try? HTTPProtocolIntegrationTests.residentKiB(server.pid)) ?? 0) }
        }
        #expect(seen == count)
        // Each stalled client was due about 6 MB of events (some 9,000 of 700 bytes each): the
        // server holds one shared copy of them, and grew by 150 MB when it framed them for each.
        #expect(peak - idle < 75 * 1024, "RSS grew by \(peak - idle) KiB with 300 clients that never read")
        withExtendedLifetime(stalled) {}
    }

    private func lastEventID(_ server: ServerProcess) -> UInt64? {
        let reply = server.curl("/overview", data: "format=json")
        let object = try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        return (object?["last_event_id"] as? NSNumber)?.uint64Value
    }
}
