import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// The Prometheus text format, with the per-group gauges read now.
    package func metrics(_ request: HTTPRequest) {
        metrics.exposition(activeCounts: activeCountsByGroup(), store: storeSize(), resources: runner.scheduler.pool?.usage ?? []).withUnsafeBytes {
            request.respond(status: 200, bytes: $0, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
