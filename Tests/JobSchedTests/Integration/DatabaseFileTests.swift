import Foundation
import Glibc
import Testing

/// The database file deleted or replaced under a running server: SQLite would
/// go on writing to the open file, and everything acknowledged from then on
/// would be gone at the next start. The server refuses instead.
@Suite("Integration: the database file deleted under the server")
struct DatabaseFileIntegrationTests {
    @Test func deletedDatabaseAcknowledgesNothingMore() throws {
        let server = try ServerProcess()
        let before = try server.submitAsync("true")
        server.waitFor(before)
        for suffix in ["", "-wal", "-shm"] { unlink(server.databasePath + suffix) }

        let refused = server.curl("/submit", data: "command=true&sync=0")
        #expect(refused.status == 503, "\(refused)")
        #expect(refused.body == "Error: database: the database file '\(server.databasePath)' was deleted or replaced "
                    + "while the server ran; nothing more is accepted: restart the server\n", "\(refused.body)")
        #expect(server.curl("/pause", data: "group=g").status == 503)
        #expect(server.log.contains(" critical the database file '\(server.databasePath)' was deleted or replaced"))
        #expect(server.curl("/health").status == 200)
    }

    @Test func replacedDatabaseAcknowledgesNothingMore() throws {
        let server = try ServerProcess()
        let other = server.directory.file("other.sqlite")
        try sqlite3(other, "CREATE TABLE t (x)")
        #expect(rename(other, server.databasePath) == 0)
        let refused = server.curl("/submit", data: "command=true&sync=0")
        #expect(refused.status == 503 && refused.body.contains("was deleted or replaced while the server ran"), "\(refused)")
    }

    /// SQLite keeps its shared-memory index in a mapping: once that file is cut
    /// short (or cannot be written), touching it is a SIGBUS, which no check can
    /// prevent. The server says why before it dies, and loses nothing committed.
    @Test func truncatedSharedMemoryIndexIsExplained() throws {
        let directory = try ScratchDirectory()
        let server = try ServerProcess(directory: directory)
        let kept = try server.submitAsync("true")
        server.waitFor(kept)
        // Its end is committed a moment after it is reported: wait for the file to hold it.
        #expect(eventually { (try? sqlite3(server.databasePath, "SELECT status FROM jobs WHERE id = \(kept)")) == "success\n" })
        #expect(truncate(server.databasePath + "-shm", 0) == 0)
        _ = server.curl("/submit", data: "command=true&sync=0", timeout: 10)
        #expect(server.waitForExit(timeout: 30) != 0)
        #expect(server.log.contains("jobsched: fatal: SIGBUS: a memory-mapped file could not be accessed. "
                                        + "The one the server maps is the database's shared-memory index, '\(server.databasePath)-shm'"),
                "\(server.log.suffix(600))")
        let restarted = try ServerProcess(directory: directory)
        #expect(try restarted.job(kept)["status"] as? String == "success")
        #expect(try sqlite3(restarted.databasePath, "PRAGMA integrity_check") == "ok\n")
    }
}
