import Foundation
import Glibc
import Testing

/// Where finished jobs' output is kept: small outputs in the database, a file
/// only for a stream that printed much, and the store's size told.
@Suite("Integration: the output store")
struct OutputStoreIntegrationTests {
    /// The spool's job files (not its `.database` mark), sorted.
    private func spoolFiles(_ server: ServerProcess) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: server.databasePath + ".spool")) ?? ["unreadable"])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Jobs that print a little, to one stream, both or none, async or sync,
    /// make no file, and each reads back as it printed, while it runs and
    /// after, also after a crash of the server.
    @Test func smallOutputsAreKeptWithoutFiles() throws {
        let directory = try ScratchDirectory()
        var server = try ServerProcess(directory: directory)
        let batch = directory.file("batch")
        let lines = (1...60).map { "echo job \($0)" } + (1...10).map { "echo out \($0); echo err \($0) >&2" } + ["true", "echo only-err >&2"]
        _ = FileManager.default.createFile(atPath: batch, contents: Data(lines.map { $0 + "\n" }.joined().utf8))
        let ids = Curl.run(["--data-binary", "@\(batch)", "\(server.base)/submit?lines=1&sync=0"]).lines.compactMap(Int64.init)
        try #require(ids.count == lines.count)
        let sync = server.curl("/submit", extra: ["--data-urlencode", "command=echo in sync; echo sync err >&2"])
        let syncID = try #require(Int64(sync.lines.first ?? ""))
        #expect(server.curl("/wait", data: "jobid=" + ids.map(String.init).joined(separator: ",")).status == 200)
        // A running job's output is read from memory, followed from there.
        let gate = try server.makeGate()
        let running = try server.submitAsync("echo so far; cat \(gate.path)")
        #expect(eventually { server.curl("/output?jobid=\(running)").body == "so far\n" })
        let follower = try StreamingCurl(["\(server.base)/output?jobid=\(running)&follow=1"])
        #expect(follower.nextLine() == "so far")
        #expect(spoolFiles(server).isEmpty)
        try gate.open("done")
        #expect(follower.remainingLines() == ["done", "jobsched: job \(running) success returncode=0"])
        #expect(server.curl("/output?jobid=\(running)").body == "so far\ndone\n")
        #expect(spoolFiles(server).isEmpty)

        func expectOutputs() {
            for (index, id) in ids.prefix(60).enumerated() {
                #expect(server.curl("/output?jobid=\(id)").body == "job \(index + 1)\n")
                #expect(server.curl("/output?jobid=\(id)&stream=stdout").body == "job \(index + 1)\n")
                #expect(server.curl("/output?jobid=\(id)&stream=stderr").body == "")
            }
            for (index, id) in ids.dropFirst(60).prefix(10).enumerated() {
                // Two pipes, read as they come: either may be first.
                #expect(server.curl("/output?jobid=\(id)").lines.sorted() == ["err \(index + 1)", "out \(index + 1)"])
                #expect(server.curl("/output?jobid=\(id)&stream=stdout").body == "out \(index + 1)\n")
                #expect(server.curl("/output?jobid=\(id)&stream=stderr").body == "err \(index + 1)\n")
            }
            #expect(server.curl("/output?jobid=\(ids[70])").body == "")
            #expect(server.curl("/output?jobid=\(ids[71])").body == "only-err\n")
            #expect(server.curl("/output?jobid=\(ids[71])&stream=stdout").body == "")
            #expect(server.curl("/output?jobid=\(ids[71])&stream=stderr").body == "only-err\n")
            #expect(server.curl("/output?jobid=\(syncID)").body == "in sync\nsync err\n")
            #expect(server.curl("/output?jobid=\(syncID)&follow=1").body == "in sync\nsync err\njobsched: job \(syncID) success returncode=0\n")
        }
        expectOutputs()
        // One row a job that printed, none for the one that did not.
        #expect(try sqlite3(server.databasePath, "SELECT count(*) FROM outputs") == "\(lines.count + 1)\n")
        // A crash of the server: what was committed stays.
        #expect(server.stop(signal: SIGKILL) == SIGKILL)
        server = try ServerProcess(directory: directory)
        expectOutputs()
        #expect(spoolFiles(server).isEmpty)
    }

    /// Past the compact size, a stream that printed has its file, the other
    /// none, and the two together are a file of their own only when both printed.
    @Test func bigOutputKeepsAFileOnlyForWhatPrinted() throws {
        let server = try ServerProcess()
        let tenK = "head -c 10000 /dev/zero | tr '\\0'"
        let outOnly = try server.submitAsync("\(tenK) o")
        let errOnly = try server.submitAsync("\(tenK) e >&2")
        let both = try server.submitAsync("\(tenK) o; echo; echo err >&2")
        let sync = try #require(Int64(server.curl("/submit", data: "command=\(tenK) s").lines.first ?? ""))
        server.waitFor(outOnly, errOnly, both)
        #expect(spoolFiles(server) == ["\(outOnly).stdout", "\(errOnly).stderr", "\(both).out", "\(both).stderr", "\(both).stdout",
                                       "\(sync).out"].sorted())
        let o = String(repeating: "o", count: 10000), e = String(repeating: "e", count: 10000)
        #expect(server.curl("/output?jobid=\(outOnly)").body == o)
        #expect(server.curl("/output?jobid=\(outOnly)&stream=stdout").body == o)
        #expect(server.curl("/output?jobid=\(outOnly)&stream=stderr").body == "")
        #expect(server.curl("/output?jobid=\(outOnly)&follow=1").body == o + "\njobsched: job \(outOnly) success returncode=0\n")
        #expect(server.curl("/output?jobid=\(errOnly)").body == e)
        #expect(server.curl("/output?jobid=\(errOnly)&stream=stdout").body == "")
        #expect(server.curl("/output?jobid=\(both)").body == o + "\nerr\n")
        #expect(server.curl("/output?jobid=\(both)&stream=stderr").body == "err\n")
        #expect(server.curl("/output?jobid=\(sync)").body == String(repeating: "s", count: 10000))
        #expect(try sqlite3(server.databasePath, "SELECT count(*) FROM outputs") == "0\n")
    }

    /// The output kept in the database goes with its job, whichever way the job goes.
    @Test func removedJobsTakeTheirOutputAlong() throws {
        let server = try ServerProcess(["--keep-finished", "3", "-j", "1"])
        let ids = try (1...6).map { try server.submitAsync("echo \($0)") }
        server.waitFor(ids[5])
        let kept = { try sqlite3(server.databasePath, "SELECT group_concat(id) FROM (SELECT id FROM outputs ORDER BY id)") }
        #expect(eventually { (try? kept()) == "\(ids[3]),\(ids[4]),\(ids[5])\n" }, "\((try? kept()) ?? "?")")
        #expect(server.curl("/remove", data: "jobid=\(ids[4])").status == 200)
        #expect(eventually { (try? kept()) == "\(ids[3]),\(ids[5])\n" })
        #expect(server.curl("/clean").body == "Removed 2 jobs\n")
        #expect(eventually { (try? kept()) == "\n" })
        #expect(server.curl("/output?jobid=\(ids[5])").status == 404)
    }

    /// /overview and /metrics tell what the store takes on disk: the
    /// database's files, the spool's files and bytes as `du` counts them.
    @Test func overviewAndMetricsTellTheStoreSize() throws {
        let server = try ServerProcess()
        let small = try server.submitAsync("echo little")
        let big = try server.submitAsync("head -c 100000 /dev/zero | tr '\\0' b")
        server.waitFor(small, big)
        func store() -> [String: Any] {
            let reply = server.curl("/overview?format=json")
            let json = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any]
            return json?["store"] as? [String: Any] ?? [:]
        }
        func du(_ path: String) -> Int {
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_blocks) * 512 : 0
        }
        let bigFile = server.databasePath + ".spool/\(big).stdout"
        // Counted anew when asked a second after the last count.
        #expect(eventually { store()["spool_files"] as? Int == 1 }, "\(store())")
        #expect(store()["spool_bytes"] as? Int == du(bigFile))
        let database = try #require(store()["database_bytes"] as? Int)
        #expect(database > 0 && database == du(server.databasePath) + du(server.databasePath + "-wal"))
        let text = server.curl("/overview").lines.last ?? ""
        #expect(text.hasPrefix("store\tdatabase ") && text.hasSuffix(", spool 1 file, \(du(bigFile) / 1024)K"), "\(text)")
        let metrics = server.curl("/metrics").body
        #expect(metrics.contains("\njobsched_store_spool_files 1.0\n"))
        #expect(metrics.contains("\njobsched_store_spool_bytes \(du(bigFile)).0\n"))
        #expect(metrics.contains("\njobsched_store_database_bytes "))
        // Removed: counted out again.
        #expect(server.curl("/remove", data: "jobid=\(big)").status == 200)
        #expect(eventually { store()["spool_files"] as? Int == 0 && store()["spool_bytes"] as? Int == 0 }, "\(store())")
    }
}
