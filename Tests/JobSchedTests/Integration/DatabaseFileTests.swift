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
}
