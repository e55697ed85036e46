import Foundation
import Testing

@Suite("Integration: /metrics")
struct MetricsIntegrationTests {
    @Test func exposesJobsGroupsDurationsAndRequests() throws {
        let server = try ServerProcess()
        let done = try server.submitAsync("true", extra: "&group=batch")
        let failed = try server.submitAsync("true", extra: "&errlog=/nonexistent-dir/e")
        server.waitFor(done, failed)
        let running = try server.submitAsync("sleep 300", extra: "&group=long")
        server.curl("/nope")
        let text = server.curl("/metrics").body
        for line in [
            "jobsched_jobs_submitted_total 3",
            "jobsched_jobs_finished_total{status=\"success\"} 1",
            "jobsched_jobs_finished_total{status=\"failed\"} 1",
            "jobsched_jobs{status=\"running\"} 1.0",
            "jobsched_group_running{group=\"long\"} 1.0",
            "jobsched_job_duration_seconds_count 1",
            "jobsched_http_requests_total{command=\"submit\",status=\"200\"} 3",
            "jobsched_http_requests_total{command=\"unknown\",status=\"404\"} 1",
        ] {
            #expect(text.contains(line + "\n"), "missing: \(line)")
        }
        server.curl("/kill", data: "jobid=\(running)")
    }

    @Test func countsFinishedJobsByOutcomeAndListsTheNonZeroOnes() throws {
        let server = try ServerProcess()
        let zero = try server.submitAsync("true")
        let three = try server.submitAsync("exit 3")
        let failed = try server.submitAsync("true", extra: "&cwd=/nonexistent-dir")
        let killed = try server.submitAsync("sleep 300")
        #expect(eventually { (try? server.job(killed)["status"] as? String) == "running" })
        server.curl("/kill", data: "jobid=\(killed)")
        server.waitFor(zero, three, failed, killed)
        let text = server.curl("/metrics").body
        for outcome in ["zero", "nonzero", "killed", "failed"] {
            #expect(text.contains("jobsched_jobs_outcome_total{outcome=\"\(outcome)\"} 1\n"), "\(outcome): \(text)")
        }
        // A killed job's returncode is -15: not zero either.
        #expect(server.curl("/jobinfo", data: "returncode=nonzero&fields=jobid,status,returncode").lines
                == ["jobid\tstatus\treturncode", "\(three)\tsuccess\t3", "\(killed)\tkilled\t-15"])
        #expect(server.curl("/jobinfo", data: "returncode=nonzero&status=success&fields=jobid").lines == ["jobid", "\(three)"])
        let bad = server.curl("/jobinfo", data: "returncode=3")
        #expect(bad.status == 400 && bad.body == "Error: returncode must be 'nonzero', not '3'\n")
    }

    /// CPU time and peak memory of a run, from wait4: a job that holds 40 MB and computes a while.
    @Test func recordsWhatAJobCost() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("x=$(head -c 40000000 /dev/zero | tr '\\0' a); i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
        let job = try server.job(id)
        let rss = try #require(job["max_rss_kb"] as? Int)
        #expect(rss > 40_000, "\(job)")
        let user = try #require(job["cpu_user"] as? Double)
        #expect(user > 0.1, "\(job)")
        #expect(job["cpu_system"] as? Double != nil)
        // Kept in the database: the same after a restart.
        _ = server.stop()
        let again = try ServerProcess(directory: server.directory)
        #expect(try again.job(id)["max_rss_kb"] as? Int == rss)
        // A job that never ran cost nothing known.
        let failed = try again.submitAsync("true", extra: "&cwd=/nonexistent-dir")
        again.waitFor(failed)
        #expect(try again.job(failed)["max_rss_kb"] is NSNull)
    }
}
