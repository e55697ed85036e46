import JobSchedModel

/// The outbox: each notification of a job's or a group's end (`notify=`) is
/// a row of `deliveries`, written in the transaction that records that end,
/// so a crash can lose neither without the other. A row is sent once it is
/// committed (`committedDeliveryID`), deleted when its receiver answers 2xx,
/// kept with `failed = 1` when it is given up.
package struct Delivery: Equatable, Sendable {
    package let id: Int64
    /// The job it tells of; nil for a group's.
    package let job: JobID?
    package let group: String?
    package let url: String
    package let body: [UInt8]
    package let created: Double
    /// Attempts made so far.
    package let attempts: Int

    package var event: WebhookPayload.Event { job == nil ? .group : .job }
}

extension JobStore {
    /// What a job read from the store says of its notification: nil (no
    /// notify, or not ended), `delivered` (its row is gone), or its row's state.
    static let deliveryState = """
        CASE WHEN notify IS NULL OR status IN ('queued', 'running') THEN NULL
        ELSE coalesce((SELECT failed || ':' || attempts || ':' || coalesce(last_error, '') FROM deliveries WHERE job = jobs.id), 'delivered') END
        """

    static func decodeDelivery(_ text: String?) -> DeliveryState? {
        guard let text else { return nil }
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return DeliveryState(status: .delivered) }
        return DeliveryState(status: parts[0] == "1" ? .failed : .pending, attempts: Int(parts[1]) ?? 0,
                             lastError: parts[2].isEmpty ? nil : String(parts[2]))
    }

    /// A job state not yet written that has ended with a notify: its delivery is pending.
    static func withDeliveryPending(_ job: Job) -> Job {
        guard job.notify != nil, job.status.isFinished else { return job }
        var job = job
        job.delivery = DeliveryState(status: .pending)
        return job
    }

    /// The delivery of a job's end; once per job (a state written again adds none).
    func addDelivery(of job: Job) throws(SQLiteError) {
        guard let url = job.notify else { return }
        try addDelivery(url: url, job: job.id, group: nil, body: WebhookPayload.job(job), at: job.finished ?? job.submitted, ignoringRepeats: true)
    }

    /// The delivery of a group's drain (`/group?notify=`), in the open transaction.
    package func addGroupDelivery(url: String, group: String, body: [UInt8], at time: Double) throws(SQLiteError) {
        try addDelivery(url: url, job: nil, group: group, body: body, at: time, ignoringRepeats: false)
    }

    private func addDelivery(url: String, job: JobID?, group: String?, body: [UInt8], at time: Double,
                             ignoringRepeats: Bool) throws(SQLiteError) {
        try beginIfNeeded()
        let insert = try cachedStatement("""
            INSERT \(ignoringRepeats ? "OR IGNORE " : "")INTO deliveries (job, grp, url, body, created, next_attempt) VALUES (?, ?, ?, ?, ?, ?)
            """)
        try insert.run([.init(job), .init(group), .text(url), .blob(body), .real(time), .real(time)])
        if db.changes == 1 { lastDeliveryID = max(lastDeliveryID, db.lastInsertRowID) }
    }

    /// The jobs a bulk kill (`killQueued`, `killInterrupted`) is about to end that have a notify.
    func jobsToNotify(where condition: String, _ values: [Statement.Value]) throws(SQLiteError) -> [Job] {
        let select = try cachedStatement("SELECT \(JobStore.columns) FROM jobs WHERE \(condition) AND notify IS NOT NULL")
        try select.reset(binding: values)
        defer { try? select.reset() }
        var jobs: [Job] = []
        while try select.step() { jobs.append(JobStore.decode(select)) }
        return jobs
    }

    /// Their deliveries, as the bulk kill has ended them.
    func addDeliveries(ofKilled jobs: [Job], msg: String, at time: Double) throws(SQLiteError) {
        for var job in jobs {
            (job.status, job.msg, job.finished) = (.killed, msg, time)
            try addDelivery(of: job)
        }
    }

    /// Committed deliveries due by `now`, soonest first, but those in `excluded` (being sent).
    package func dueDeliveries(at now: Double, limit: Int, excluding excluded: Set<Int64>) throws(SQLiteError) -> [Delivery] {
        let select = try cachedStatement("""
            SELECT id, job, grp, url, body, created, attempts FROM deliveries
            WHERE failed = 0 AND next_attempt <= ? AND id <= ? ORDER BY next_attempt, id LIMIT ?
            """)
        try select.reset(binding: [.real(now), .integer(committedDeliveryID), .integer(Int64(limit + excluded.count))])
        defer { try? select.reset() }
        var due: [Delivery] = []
        while due.count < limit, try select.step() {
            let id = select.int(at: 0) ?? 0
            if excluded.contains(id) { continue }
            due.append(Delivery(id: id, job: select.int(at: 1), group: select.text(at: 2), url: select.text(at: 3) ?? "",
                                body: select.bytes(at: 4) ?? [], created: select.double(at: 5) ?? 0,
                                attempts: Int(select.int(at: 6) ?? 0)))
        }
        return due
    }

    /// When the next committed delivery not being sent is due; nil if none waits.
    package func nextDeliveryTime(excluding excluded: Set<Int64>) throws(SQLiteError) -> Double? {
        let select = try cachedStatement("""
            SELECT id, next_attempt FROM deliveries WHERE failed = 0 AND id <= ? ORDER BY next_attempt, id LIMIT ?
            """)
        try select.reset(binding: [.integer(committedDeliveryID), .integer(Int64(excluded.count + 1))])
        defer { try? select.reset() }
        while try select.step() {
            if !excluded.contains(select.int(at: 0) ?? 0) { return select.double(at: 1) }
        }
        return nil
    }

    /// The receiver took it: the row goes.
    package func deliveryDelivered(_ id: Int64) throws(SQLiteError) {
        try beginIfNeeded()
        try cachedStatement("DELETE FROM deliveries WHERE id = ?").run([.integer(id)])
    }

    /// Tried again at `next`; or, with `next` nil, given up.
    package func deliveryAttempted(_ id: Int64, attempts: Int, error: String, next: Double?) throws(SQLiteError) {
        try beginIfNeeded()
        try cachedStatement("UPDATE deliveries SET attempts = ?, last_error = ?, next_attempt = coalesce(?, next_attempt), failed = ? WHERE id = ?")
            .run([.integer(Int64(attempts)), .text(error), .init(next), .integer(next == nil ? 1 : 0), .integer(id)])
    }

    /// Deliveries waiting to be sent, and those given up: counted at start for `/metrics`.
    package func deliveryCounts() throws(SQLiteError) -> (pending: Int, failed: Int) {
        let select = try cachedStatement("SELECT coalesce(sum(failed = 0), 0), coalesce(sum(failed = 1), 0) FROM deliveries")
        try select.reset()
        defer { try? select.reset() }
        guard try select.step() else { return (0, 0) }
        return (Int(select.int(at: 0) ?? 0), Int(select.int(at: 1) ?? 0))
    }
}
