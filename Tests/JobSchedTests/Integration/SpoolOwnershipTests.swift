import Foundation
import Glibc
import Testing

/// Job ids start again from 1 in a new database and after `--clear`: the
/// spool, which keeps output by id, must never show an earlier job 1's output.
@Suite("Integration: a spool belongs to one database")
struct SpoolOwnershipIntegrationTests {
    /// Old job 1 printed little (kept in the database), old job 2 much (kept
    /// in the spool): new jobs 1 and 2 that print nothing show nothing.
    @Test func clearedOrNewDatabaseStartsWithAnEmptySpool() throws {
        let directory = try ScratchDirectory()
        var server = try ServerProcess(directory: directory)
        let small = try server.submitAsync("echo old job 1 output; echo old err 1 >&2")
        let big = try server.submitAsync("head -c 5000 /dev/zero | tr '\\0' o; echo; echo old err 2 >&2")
        #expect((small, big) == (1, 2))
        server.waitFor(small, big)
        let bigOutput = String(repeating: "o", count: 5000) + "\nold err 2\n"
        func expectOldOutput() {
            #expect(server.curl("/output?jobid=1").body == "old job 1 output\nold err 1\n")
            #expect(server.curl("/output?jobid=2").body == bigOutput)
        }
        expectOldOutput()
        #expect(FileManager.default.fileExists(atPath: server.databasePath + ".spool/2.out"))
        #expect(server.stop() == 0)

        // Restarted as it was: the output stays.
        server = try ServerProcess(directory: directory)
        expectOldOutput()
        #expect(server.stop() == 0)

        // --clear: the new jobs 1 and 2 show only their own output.
        server = try ServerProcess(["--clear"], directory: directory)
        func expectQuietJobs(_ count: Int64) throws {
            for expected in 1...count {
                let quiet = try server.submitAsync("true")
                #expect(quiet == expected)
                server.waitFor(quiet)
                #expect(server.curl("/output?jobid=\(quiet)").body == "")
                #expect(server.curl("/output?jobid=\(quiet)&stream=stderr").body == "")
            }
        }
        try expectQuietJobs(2)
        let sync = server.curl("/submit", data: "command=head -c 5000 /dev/zero | tr '\\0' n")
        let newOutput = String(repeating: "n", count: 5000)
        #expect(sync.body == "3\n\(newOutput)\njobsched: job 3 success returncode=0\n", "\(sync.status)")
        #expect(server.curl("/output?jobid=3").body == newOutput)
        #expect(server.stop() == 0)

        // The database deleted and made anew: the same.
        for suffix in ["", "-wal", "-shm"] { unlink(server.databasePath + suffix) }
        server = try ServerProcess(directory: directory)
        try expectQuietJobs(3)
        #expect(server.curl("/output?jobid=4").status == 404)
    }
}
