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
}
