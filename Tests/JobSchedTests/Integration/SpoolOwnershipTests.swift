import Foundation
import Glibc
import Testing

/// Job ids start again from 1 in a new database and after `--clear`: the
/// spool, which keeps output by id, must never show an earlier job 1's output.
@Suite("Integration: a spool belongs to one database")
struct SpoolOwnershipIntegrationTests {
    @Test func clearedOrNewDatabaseStartsWithAnEmptySpool() throws {
        let directory = try ScratchDirectory()
        var server = try ServerProcess(directory: directory)
        let old = try server.submitAsync("echo old job 1 output; echo old err 1 >&2")
        server.waitFor(old)
        #expect(server.curl("/output?jobid=\(old)").body == "old job 1 output\nold err 1\n")
        #expect(server.stop() == 0)

        // Restarted as it was: the output stays.
        server = try ServerProcess(directory: directory)
        #expect(server.curl("/output?jobid=\(old)").body == "old job 1 output\nold err 1\n")
        #expect(server.stop() == 0)

        // --clear: the new job 1 shows only its own output.
        server = try ServerProcess(["--clear"], directory: directory)
        let quiet = try server.submitAsync("true")
        #expect(quiet == 1)
        server.waitFor(quiet)
        #expect(server.curl("/output?jobid=1").body == "")
        #expect(server.curl("/output?jobid=1&stream=stderr").body == "")
        let sync = server.curl("/submit", data: "command=echo new 2")
        #expect(sync.body == "2\nnew 2\njobsched: job 2 success returncode=0\n", "\(sync)")
        #expect(server.curl("/output?jobid=2").body == "new 2\n")
        #expect(server.stop() == 0)

        // The database deleted and made anew: the same.
        for suffix in ["", "-wal", "-shm"] { unlink(server.databasePath + suffix) }
        server = try ServerProcess(directory: directory)
        let fresh = try server.submitAsync("true")
        #expect(fresh == 1)
        server.waitFor(fresh)
        #expect(server.curl("/output?jobid=1").body == "")
        #expect(server.curl("/output?jobid=2").status == 404)
    }
}
