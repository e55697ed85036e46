import Foundation
import Glibc
import Testing

@Suite("Integration: killing jobs")
struct KillIntegrationTests {
    @Test func killRunningJobEndsItsWholeProcessTree() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("sleep 300 & sleep 301 & wait")
        let pid = try server.pidOnceRunning(id)
        #expect(eventually { processes(inGroup: pid).count == 3 })

        #expect(server.curl("/kill", data: "jobid=\(id)").body == "Job \(id) has been killed\n")
        #expect(server.waitFor(id) == "job \(id) killed returncode=-15\n")
        #expect(eventually { processes(inGroup: pid).isEmpty })
        #expect(try server.job(id)["msg"] as? String == "killed by /kill")
    }

    @Test func killIgnoringTermGetsSigkillAfterGrace() throws {
        let server = try ServerProcess(["--kill-grace", "0.5"])
        let id = try server.submitAsync("trap '' TERM; sleep 300")
        #expect(eventually { (try? server.job(id)["status"] as? String) == "running" })
        server.curl("/kill", data: "jobid=\(id)")
        #expect(server.waitFor(id) == "job \(id) killed returncode=-9\n")
    }

    @Test func killQueuedJobAndReportsPerId() throws {
        let server = try ServerProcess(["-j", "1"])
        let running = try server.submitAsync("sleep 300")
        let queued = try server.submitAsync("echo never")
        let done = try server.submitAsync("true")
        // An unknown id is a 404, as for /jobinfo, /output and /wait, and nothing is killed.
        let unknown = server.curl("/kill", data: "jobid=\(queued),999999,999998")
        #expect(unknown.status == 404 && unknown.body == "Error: unknown job id 999999,999998\n")
        #expect(server.curl("/wait", data: "jobid=999999,999998").body == unknown.body)
        #expect(try server.job(queued)["status"] as? String == "queued")
        let result = server.curl("/kill", data: "jobid=\(queued)")
        #expect(result.status == 200)
        #expect(result.lines == ["Job \(queued) has been killed"])
        #expect(server.waitFor(queued) == "job \(queued) killed returncode=-\n")
        let job = try server.job(queued)
        #expect(job["started"] is NSNull && job["returncode"] is NSNull)

        server.curl("/kill", data: "jobid=\(running)")
        server.waitFor(done)
        #expect(try server.job(done)["status"] as? String == "success")
        let again = server.curl("/kill", data: "jobid=\(done)&format=json")
        #expect(again.body.contains("\"killed\": false") && again.body.contains("already finished (success)"))
    }

    @Test func clientDisconnectKillsRunningSyncJobAndChildren() throws {
        let server = try ServerProcess()
        let client = try StreamingCurl(["--data-urlencode", "command=sleep 300 & echo started; sleep 301", "\(server.base)/submit"])
        let id = try #require(Int64(client.nextLine() ?? ""))
        #expect(client.nextLine() == "started")
        let pid = try server.pidOnceRunning(id)
        #expect(processes(inGroup: pid).count == 2)
        client.killClient()
        #expect(server.waitFor(id).hasPrefix("job \(id) killed returncode="))
        #expect(try server.job(id)["msg"] as? String == "client disconnected")
        #expect(eventually { processes(inGroup: pid).isEmpty })
    }

    @Test func clientDisconnectKillsQueuedSyncJob() throws {
        let server = try ServerProcess(["-j", "1"])
        let blocker = try server.submitAsync("sleep 300")
        let client = try StreamingCurl(["--data", "command=echo never", "\(server.base)/submit"])
        let id = try #require(Int64(client.nextLine() ?? ""))
        #expect(try server.job(id)["status"] as? String == "queued")
        client.killClient()
        #expect(server.waitFor(id) == "job \(id) killed returncode=-\n")
        server.curl("/kill", data: "jobid=\(blocker)")
        #expect(server.waitFor(blocker).contains("killed"))
    }
}
