import Foundation
import Glibc
import Testing

@Suite("Integration: WAL checkpoints off the event loop")
struct CheckpointTests {
    /// Enough single submits to pass SQLite's 1000-frame mark several times:
    /// the log is copied by `jobsched wal-checkpoint` processes, never by the server.
    @Test func theLogIsCopiedByHelperProcessesThatTheServerReaps() throws {
        let server = try ServerProcess(["-j", "1", "--log-level", "debug"])
        let sizeBefore = try FileManager.default.attributesOfItem(atPath: server.databasePath)[.size] as? Int ?? 0
        // One curl, one keep-alive connection, one commit per submit.
        let urls = Array(repeating: "\(server.base)/submit", count: 599)
        let result = server.curl("/submit", data: "command=true&sync=0", extra: urls)
        #expect(result.status == 200)
        #expect(result.body.split(separator: "\n").count == 600)

        let pattern = /WAL checkpoint by process (\d+) done/
        #expect(eventually { server.log.contains(pattern) }, "no checkpoint in the log: \(server.log.suffix(2000))")
        let helpers = server.log.matches(of: pattern).compactMap { pid_t($0.output.1) }
        #expect(!helpers.isEmpty && !helpers.contains(server.pid))
        #expect(!server.log.contains("checkpointing in the server"))
        // Reaped: neither running nor left a zombie.
        for pid in helpers { #expect(eventually { kill(pid, 0) != 0 && errno == ESRCH }) }
        let sizeAfter = try FileManager.default.attributesOfItem(atPath: server.databasePath)[.size] as? Int ?? 0
        #expect(sizeAfter > sizeBefore)
        #expect(try sqlite3(server.databasePath, "SELECT count(*) FROM jobs") == "600\n")
        #expect(server.stop() == 0)
    }

    @Test func theHelperRefusesAFileThatIsNotAJobschedDatabase() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("other.sqlite")
        _ = try sqlite3(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["wal-checkpoint", path]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(message == "jobsched wal-checkpoint: '\(path)' is not a jobsched database\n")
    }
}
