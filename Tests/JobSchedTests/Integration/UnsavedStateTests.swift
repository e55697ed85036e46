import Foundation
import Testing

/// While the database refuses writes, a job that ends has one state
/// everywhere: its latest, marked `"saved": false` in JSON until a commit keeps it.
@Suite("Integration: one state while the database refuses writes",
       .enabled(if: DatabaseFiles.canMakeImmutable, "needs root and chattr"))
struct UnsavedStateIntegrationTests {
    @Test func anEndRefusedByTheDatabaseShowsAsItIs() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let id = try server.submitAsync("cat \(gate.path)")
        _ = try server.pidOnceRunning(id)
        let database = DatabaseFiles(server)
        try database.freeze()
        defer { database.thaw() }
        try gate.open("go")
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")

        // Its end's commit is refused (within 20 ms) and retried each second: all along, one state.
        #expect(eventually { (try? server.job(id))?["saved"] as? Bool == false })
        for _ in 0..<10 {
            let job = try server.job(id)
            #expect(job["status"] as? String == "success" && job["saved"] as? Bool == false, "\(job)")
            #expect(server.curl("/jobinfo", data: "jobid=\(id)").lines.last?.contains("\tsuccess\t") == true)
            #expect(server.curl("/jobinfo").lines.count == 1, "the active list shows it no more")
            #expect(server.curl("/jobinfo", data: "status=success").lines.count == 2)
            #expect(server.curl("/overview").body.contains("\nsuccess\t1\n"))
            usleep(150_000)
        }

        // The database takes writes again: the state is kept, and the mark goes.
        database.thaw()
        #expect(eventually { (try? server.job(id))?["saved"] == nil })
        #expect(try sqlite3(server.databasePath, "SELECT status FROM jobs WHERE id = \(id)") == "success\n")
    }
}
