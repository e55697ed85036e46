import Prometheus
import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// The figures `/metrics` exposes in the Prometheus text format, kept with
/// swift-prometheus: counters as things happen, gauges set when scraped from
/// the per-group counts the server keeps (a scrape costs O(groups)).
package final class ServerMetrics {
    private let registry = PrometheusCollectorRegistry()
    private let submitted: Counter
    private let duration: ValueHistogram
    private var finished: [JobStatus: Counter] = [:]
    private var outcomes: [JobOutcome: Counter] = [:]
    private var requests: [String: Counter] = [:]
    private var perGroup: [String: (queued: Gauge, running: Gauge)] = [:]
    private var active: [JobStatus: Gauge] = [:]
    /// Per counted resource (`cpus`, `mem` in bytes, `gpus`): used and in all.
    private var resourceGauges: [String: (used: Gauge, total: Gauge)] = [:]
    private let databaseBytes: Gauge
    private let spoolFiles: Gauge
    private let spoolBytes: Gauge
    private var deliveries: [String: Counter] = [:]

    package init() {
        let registry = registry
        func storeGauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: .init(namespace: "jobsched", metricName: name, unitName: "", helpText: help))
        }
        databaseBytes = storeGauge("store_database_bytes", "Bytes the database and its WAL take on disk")
        spoolFiles = storeGauge("store_spool_files", "Files of job output in the spool (small outputs are kept in the database)")
        spoolBytes = storeGauge("store_spool_bytes", "Bytes the spool's files take on disk")
        submitted = registry.makeCounter(descriptor: .init(
            namespace: "jobsched", metricName: "jobs_submitted", unitName: "total", helpText: "Jobs submitted"))
        duration = registry.makeValueHistogram(
            descriptor: .init(namespace: "jobsched", metricName: "job_duration", unitName: "seconds",
                              helpText: "Run time of finished jobs that started"),
            buckets: [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14400])
        for status in JobStatus.allCases where status.isFinished {
            finished[status] = registry.makeCounter(
                descriptor: .init(namespace: "jobsched", metricName: "jobs_finished", unitName: "total",
                                  helpText: "Jobs finished, by final status"),
                labels: [("status", status.rawValue)])
        }
        for outcome in JobOutcome.allCases {
            outcomes[outcome] = registry.makeCounter(
                descriptor: .init(namespace: "jobsched", metricName: "jobs_outcome", unitName: "total",
                                  helpText: "Jobs finished, by how they ended: returncode zero or nonzero, killed, failed to start"),
                labels: [("outcome", outcome.rawValue)])
        }
        // notify=: each attempt's outcome (retried: it failed and is tried again later).
        for outcome in ["delivered", "retried", "failed"] {
            deliveries[outcome] = registry.makeCounter(
                descriptor: .init(namespace: "jobsched", metricName: "webhook_deliveries", unitName: "total",
                                  helpText: "Webhook (notify=) delivery attempts, by outcome: delivered (2xx), retried later, failed for good"),
                labels: [("outcome", outcome)])
        }
        for status in [JobStatus.queued, .running] {
            active[status] = registry.makeGauge(
                descriptor: .init(namespace: "jobsched", metricName: "jobs", unitName: "",
                                  helpText: "Jobs queued or running now"),
                labels: [("status", status.rawValue)])
        }
    }

    /// A delivery attempt's outcome: `delivered`, `retried` or `failed`.
    package func deliveryAttempted(_ outcome: String) { deliveries[outcome]?.increment() }

    package func jobsSubmitted(_ count: Int) { submitted.increment(by: Int64(count)) }

    package func jobFinished(_ job: Job) {
        finished[job.status]?.increment()
        if let outcome = JobOutcome(job) { outcomes[outcome]?.increment() }
        if let started = job.started, let ended = job.finished { duration.record(ended - started) }
    }

    package func requestHandled(command: String, status: Int32) {
        let key = "\(command) \(status)"
        if requests[key] == nil {
            requests[key] = registry.makeCounter(
                descriptor: .init(namespace: "jobsched", metricName: "http_requests", unitName: "total",
                                  helpText: "HTTP requests, by command and status code"),
                labels: [("command", command), ("status", String(status))])
        }
        requests[key]?.increment()
    }

    /// The exposition text, after setting the gauges from the active jobs'
    /// counts per group and the store's size (the spool's as last counted).
    package func exposition(activeCounts: [String: (queued: Int, running: Int)], store: StoreSize,
                            resources: [(name: String, used: Int, total: Int)]) -> [UInt8] {
        for resource in resources {
            let gauges = resourceGauges[resource.name] ?? makeResourceGauges(resource.name)
            resourceGauges[resource.name] = gauges
            gauges.used.set(Int64(resource.used))
            gauges.total.set(Int64(resource.total))
        }
        databaseBytes.set(Int64(store.databaseBytes))
        if let spool = store.spool {
            spoolFiles.set(Int64(spool.files))
            spoolBytes.set(Int64(spool.bytes))
        }
        var counts = activeCounts
        for group in perGroup.keys where counts[group] == nil { counts[group] = (0, 0) }  // emptied since: back to 0
        for (group, count) in counts {
            let gauges = perGroup[group] ?? makeGroupGauges(group)
            perGroup[group] = gauges
            gauges.queued.set(Int64(count.queued))
            gauges.running.set(Int64(count.running))
        }
        active[.queued]?.set(Int64(counts.values.reduce(0) { $0 + $1.queued }))
        active[.running]?.set(Int64(counts.values.reduce(0) { $0 + $1.running }))
        return registry.emitToBuffer()
    }

    private func makeResourceGauges(_ resource: String) -> (used: Gauge, total: Gauge) {
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: .init(namespace: "jobsched", metricName: name, unitName: "", helpText: help),
                               labels: [("resource", resource)])
        }
        return (gauge("resource_used", "Resources held by running jobs (cpus, mem in bytes, gpus)"),
                gauge("resource_total", "Resources the server hands out (--cpus, --mem in bytes, --gpus)"))
    }

    private func makeGroupGauges(_ group: String) -> (queued: Gauge, running: Gauge) {
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: .init(namespace: "jobsched", metricName: name, unitName: "", helpText: help),
                               labels: [("group", group)])
        }
        return (gauge("group_queued", "Jobs queued in each group"), gauge("group_running", "Jobs running in each group"))
    }
}
