import Foundation
import Glibc
import Testing

@Suite("Integration: waiting for jobs")
struct WaitIntegrationTests {
    @Test func waitOnRunningFinishedAndSeveralJobs() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let finished = try server.submitAsync("exit 4")
        #expect(server.waitFor(finished) == "job \(finished) success returncode=4\n")
        let running = try server.submitAsync("cat \(gate.path) > /dev/null")

        let waiter = try StreamingCurl(["--data", "jobid=\(running),\(finished)", "\(server.base)/wait"])
        // Held: nothing arrives until the job ends (the waiter is still connected).
        #expect(try server.job(running)["status"] as? String == "running")
        try gate.open("x")
        #expect(waiter.remainingLines() == ["job \(running) success returncode=0", "job \(finished) success returncode=4"])

        let json = server.curl("/wait", data: "jobid=\(finished)&format=json")
        #expect(json.body.hasPrefix("{\"jobs\": [{\"jobid\": \(finished), "))
    }

    @Test func unknownIdIs404AndWaitsForNothing() throws {
        let server = try ServerProcess()
        let running = try server.submitAsync("sleep 300")
        let result = server.curl("/wait", data: "jobid=\(running),424242", timeout: 30)
        #expect(result.status == 404)
        #expect(result.body.contains("424242"))
        server.curl("/kill", data: "jobid=\(running)")
    }

    @Test func timeoutAnswersWithTheJobsAsTheyAre() throws {
        let server = try ServerProcess()
        let running = try server.submitAsync("sleep 300")
        let result = server.curl("/wait", data: "jobid=\(running)&timeout=0.5")
        #expect(result.status == 200)
        #expect(result.body == "job \(running) running returncode=-\n")
        server.curl("/kill", data: "jobid=\(running)")
    }

    /// Disconnected waiters are noticed at once: the server closes their
    /// sockets, so its descriptor count returns to where it was.
    @Test func disconnectedWaitersAreFreed() throws {
        let server = try ServerProcess()
        // With "Connection: close" the server closes its end before curl sees
        // the reply end; a keep-alive connection would close some time after
        // curl exits, on a loaded machine after the count below was taken.
        let submit = server.curl("/submit", data: "command=sleep 300&sync=0", extra: ["-H", "Connection: close"])
        let running = try #require(Int64(submit.body.dropLast()), "\(submit)")
        // Counted once the job runs: its output pipes are open by then.
        _ = try server.pidOnceRunning(running)
        let before = server.openDescriptors
        let waiters = try (0..<20).map { _ in try StreamingCurl(["--data", "jobid=\(running)", "\(server.base)/wait"]) }
        #expect(eventually { server.openDescriptors >= before + 20 })
        waiters.forEach { $0.killClient() }
        #expect(eventually { server.openDescriptors <= before })
        // The job is untouched, and the server still answers.
        #expect(try server.job(running)["status"] as? String == "running")
        server.curl("/kill", data: "jobid=\(running)")
        #expect(server.waitFor(running).contains("killed"))
    }

    /// A group's jobs that had already ended without success when the wait
    /// began count for fail=1 as those that end during it.
    @Test func groupWaitReportsEarlierFailures() throws {
        let server = try ServerProcess()
        let succeeded = try server.submitAsync("true", extra: "&group=build")
        let failed = try server.submitAsync("exit 3", extra: "&group=build")
        let killed = try server.submitAsync("true", extra: "&group=build&delay=600")
        server.curl("/kill", data: "jobid=\(killed)")
        server.waitFor(succeeded, failed, killed)
        let earlier = ["job \(failed) success returncode=3", "job \(killed) killed returncode=-"]

        // Nothing of the group is active: the answer comes at once.
        let idle = server.curl("/wait", data: "group=build&fail=1")
        #expect(idle.status == 409)
        #expect(idle.lines == earlier)

        let gate = try server.makeGate()
        let running = try server.submitAsync("cat \(gate.path)", extra: "&group=build")
        let waiter = try server.heldWait("group=build&fail=1", while: running)
        try gate.open("go")
        #expect(waiter.remainingLines() == earlier + ["job \(running) success returncode=0", "409"])
        // Without a failure left in the group, the same wait succeeds.
        server.curl("/remove", data: "jobid=\(failed),\(killed)")
        #expect(server.curl("/wait", data: "group=build&fail=1").status == 200)
    }
}
