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
    /// `WebhookURL.receiver`: where it goes.
    package let receiver: String
    package let body: [UInt8]
    package let created: Double
    /// Attempts made so far.
    package let attempts: Int
    /// When it is to be sent (again).
    package let due: Double

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
        // The URL was taken at submit: what it names is still where it goes.
        let receiver = (try? WebhookURL(url))?.receiver ?? url
        let insert = try cachedStatement("""
            INSERT \(ignoringRepeats ? "OR IGNORE " : "")INTO deliveries (job, grp, url, receiver, body, created, next_attempt)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.run([.init(job), .init(group), .text(url), .text(receiver), .blob(body), .real(time), .real(time)])
        guard db.changes == 1 else { return }
        lastDeliveryID = max(lastDeliveryID, db.lastInsertRowID)
        receiversAdded.insert(receiver)
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

    /// The receivers that have deliveries waiting (once, at start: a pass over the outbox's index).
    package func receiversWaiting() throws(SQLiteError) -> [String] {
        let select = try cachedStatement("SELECT DISTINCT receiver FROM deliveries WHERE failed = 0")
        try select.reset()
        defer { try? select.reset() }
        var receivers: [String] = []
        while try select.step() { receivers.append(select.text(at: 0) ?? "") }
        return receivers
    }

    /// The receivers of the deliveries written since the last call.
    package func takeReceiversAdded() -> Set<String> {
        defer { receiversAdded = [] }
        return receiversAdded
    }

    /// The first `limit` committed deliveries waiting for one receiver, soonest due first.
    package func deliveries(to receiver: String, limit: Int) throws(SQLiteError) -> [Delivery] {
        let select = try cachedStatement("""
            SELECT id, job, grp, url, body, created, attempts, next_attempt FROM deliveries
            WHERE receiver = ? AND failed = 0 AND id <= ? ORDER BY next_attempt, id LIMIT ?
            """)
        try select.reset(binding: [.text(receiver), .integer(committedDeliveryID), .integer(Int64(limit))])
        defer { try? select.reset() }
        var found: [Delivery] = []
        while try select.step() {
            found.append(Delivery(id: select.int(at: 0) ?? 0, job: select.int(at: 1), group: select.text(at: 2), url: select.text(at: 3) ?? "",
                                  receiver: receiver, body: select.bytes(at: 4) ?? [], created: select.double(at: 5) ?? 0,
                                  attempts: Int(select.int(at: 6) ?? 0), due: select.double(at: 7) ?? 0))
        }
        return found
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
}
