import JobSchedModel
import JobSchedRunner
import JobSchedSystem
import Logging

/// Sends the outbox (`deliveries`, see JobStore+Deliveries): the committed
/// deliveries that are due, receiver by receiver in turn and each one's
/// soonest first, at most `limit` under way and at most half of those to any
/// one receiver (a receiver that hangs holds only its own share). Each
/// attempt's outcome is written back into the next commit (deleted when
/// delivered, tried again later, or marked failed) as `DeliveryPolicy`
/// decides. Only the deliveries under way are in memory: a million waiting
/// cost the outbox's rows, not this.
///
/// A delivery goes out at least once: one whose answer came but whose
/// deletion a crash lost is sent again after the restart, with the same
/// `X-Jobsched-Delivery` id, so that its receiver can drop the repeat.
final class Webhooks {
    /// Deliveries under way to any one receiver: half the limit, so that one
    /// that hangs leaves the other half to the rest.
    private var receiverLimit: Int { max(1, (settings.limit + 1) / 2) }

    private let settings: ServerConfiguration.Webhooks
    private let rules: WebhookRules
    private let policy: DeliveryPolicy
    private let loop: EventLoop
    private let store: JobStore
    private let runner: JobRunner
    private let http: OutboundHTTP
    private let metrics: ServerMetrics
    private let logger: Logger
    /// Deliveries under way, by id, and how many go to each receiver.
    private var sending: Set<Int64> = []
    private var perReceiver: [String: Int] = [:]
    /// Deliveries whose outcome the database refused: held until a commit goes through.
    private var unrecorded: Set<Int64> = []
    /// Receivers whose last attempt failed: said once when they start failing and once when
    /// they answer again, not at every retry (a receiver down for a day would be millions of lines).
    private var failing: Set<String> = []
    /// The receivers that have deliveries waiting, in the order they are
    /// taken in turn (`cursor` is the next); one found with none is let go.
    private var order: [String] = []
    private var waiting: Set<String> = []
    private var cursor = 0
    /// The newest committed delivery seen: a commit that added none needs no look at the outbox.
    private var seenThrough: Int64 = -1
    /// Wakes the sender when the next delivery waiting is due.
    private var nextDue: Event?
    private var nextDueTime: Double?
    private var isStopped = false

    init(settings: ServerConfiguration.Webhooks, rules: WebhookRules, loop: EventLoop, store: JobStore, runner: JobRunner,
         metrics: ServerMetrics, logger: Logger) throws(ServerError) {
        (self.settings, self.rules, self.loop, self.store, self.runner) = (settings, rules, loop, store, runner)
        (self.metrics, self.logger) = (metrics, logger)
        policy = DeliveryPolicy(retryFor: settings.retryFor)
        http = try OutboundHTTP(loop: loop)
        do {
            order = try store.receiversWaiting()
            waiting = Set(order)
        } catch {
            throw ServerError("cannot read the webhook outbox: \(error.message)")
        }
    }

    /// A job has ended: when its group has a notify URL and nothing of the
    /// group is left queued or running, the group has drained, and its
    /// delivery goes into the transaction that records this job's end.
    func jobEnded(_ job: Job) {
        guard !isStopped, let url = runner.scheduler.settings(of: job.group).notify,
              runner.activeIndex.byGroup[job.group]?.isEmpty != false else { return }
        do {
            try store.addGroupDelivery(url: url, group: job.group,
                                       body: WebhookPayload.group(job.group, finished: runner.finished.byGroup[job.group] ?? [:]),
                                       at: Clock.now())
        } catch {
            logger.error("recording the notification of group \(Excerpt.quoted(job.group)) draining: \(error.message)")
        }
    }

    /// After a commit: new deliveries may be there to send, and those whose
    /// outcome could not be written may go again.
    func committed() {
        guard store.committedDeliveryID != seenThrough || !unrecorded.isEmpty else { return }
        unrecorded.removeAll()
        sendDue()
    }

    /// The server is shutting down: nothing more is sent; those under way
    /// stay in the outbox, for the next start.
    func stop() {
        isStopped = true
        nextDue = nil
        http.cancelAll()
    }

    /// Receivers looked at in one go: with thousands of receivers, the rest wait for the next.
    static let receiversPerLook = 64

    /// Starts the due deliveries there is room for, receiver by receiver in
    /// turn (one whose deliveries pile up does not hold another's back), and
    /// sets the wake-up for the next.
    func sendDue() {
        guard !isStopped else { return }
        seenThrough = store.committedDeliveryID
        for receiver in store.takeReceiversAdded() where waiting.insert(receiver).inserted { order.append(receiver) }
        let now = Clock.now()
        var wakeAt: Double?
        var emptied: Set<String> = []
        let count = min(order.count, Webhooks.receiversPerLook)
        var looked = 0
        while looked < count && sending.count < settings.limit {
            let receiver = order[(cursor + looked) % order.count]
            looked += 1
            let busy = perReceiver[receiver, default: 0]
            do {
                // Those under way come back too: one more than them and the room.
                let rows = try store.deliveries(to: receiver, limit: busy + unrecorded.count + max(0, receiverLimit - busy) + 1)
                if rows.isEmpty { emptied.insert(receiver) }
                for delivery in rows where !sending.contains(delivery.id) && !unrecorded.contains(delivery.id) {
                    guard delivery.due <= now else {
                        wakeAt = min(wakeAt ?? delivery.due, delivery.due)
                        break
                    }
                    guard perReceiver[receiver, default: 0] < receiverLimit, sending.count < settings.limit else { break }
                    send(delivery)
                }
            } catch {
                logger.error("reading the webhook outbox: \(error.message); trying again in 10 s")
                wakeAt = now + 10
            }
        }
        if !order.isEmpty { cursor = (cursor + looked) % order.count }
        if !emptied.isEmpty {
            order.removeAll { emptied.contains($0) }
            waiting.subtract(emptied)
            cursor = order.isEmpty ? 0 : cursor % order.count
        }
        // More receivers than one look takes, and room left: the others are
        // looked at a second later. (With the room full, an answer makes room and looks.)
        if looked == Webhooks.receiversPerLook && order.count > looked && sending.count < settings.limit {
            wakeAt = min(wakeAt ?? now + 1, now + 1)
        }
        wake(at: wakeAt, now: now)
    }

    /// One timer, set for the soonest delivery waiting that is not due yet
    /// (one due now but without room is sent when an answer makes room).
    private func wake(at time: Double?, now: Double) {
        guard let time, time > now else {
            (nextDue, nextDueTime) = (nil, nil)
            return
        }
        if nextDueTime == time { return }
        nextDueTime = time
        nextDue = loop.timer(after: time - now) { [unowned self] in
            (nextDue, nextDueTime) = (nil, nil)
            sendDue()
        }
    }

    private func send(_ delivery: Delivery) {
        guard let url = try? WebhookURL(delivery.url) else {
            return record(delivery, .failed("the URL is no longer taken"), attempts: delivery.attempts + 1)
        }
        let receiver = delivery.receiver
        sending.insert(delivery.id)
        perReceiver[receiver, default: 0] += 1
        var headers = [("Content-Type", "application/json"), ("User-Agent", "jobsched"),
                       ("X-Jobsched-Event", delivery.event.rawValue),
                       ("X-Jobsched-Delivery", "\(store.identity)-\(delivery.id)")]
        if let secret = settings.secret {
            headers.append((WebhookSignature.header, WebhookSignature.value(secret: secret, body: delivery.body)))
        }
        let rules = rules
        http.post(to: url, headers: headers, body: delivery.body, timeout: DeliveryPolicy.attemptTimeout,
                  refusal: { rules.refusal(of: $0, port: $1) }) { [unowned self] answer in
            sending.remove(delivery.id)
            perReceiver[receiver, default: 1] -= 1
            if perReceiver[receiver] == 0 { perReceiver[receiver] = nil }
            let attempts = delivery.attempts + 1
            record(delivery, policy.decide(answer, attempts: attempts, created: delivery.created, now: Clock.now()), attempts: attempts)
            sendDue()
        }
    }

    /// Writes an attempt's outcome into the open transaction (the next commit keeps it).
    private func record(_ delivery: Delivery, _ decision: DeliveryPolicy.Decision, attempts: Int) {
        let what = delivery.job.map { "job \($0)" } ?? "group \(Excerpt.quoted(delivery.group ?? ""))"
        do {
            switch decision {
            case .delivered:
                metrics.deliveryAttempted("delivered")
                try store.deliveryDelivered(delivery.id)
                if failing.remove(delivery.receiver) != nil { logger.info("notifications to \(delivery.receiver) go through again") }
                // The job's notify_status says so; a line each would grow the log by a third.
                logger.debug("notified \(Excerpt.plain(delivery.url)) of \(what) (delivery \(delivery.id), attempt \(attempts))")
            case .retry(let next, let error):
                metrics.deliveryAttempted("retried")
                try store.deliveryAttempted(delivery.id, attempts: attempts, error: error, next: next)
                if failing.insert(delivery.receiver).inserted {
                    logger.info("notifications to \(delivery.receiver) fail (\(error)): tried again, 1 s later and twice as long each time")
                }
                logger.debug("notifying \(Excerpt.plain(delivery.url)) of \(what): \(error); attempt \(attempts + 1) in \(Timestamp.seconds((next - Clock.now()).rounded())) s")
            case .failed(let error):
                metrics.deliveryAttempted("failed")
                try store.deliveryAttempted(delivery.id, attempts: attempts, error: error, next: nil)
                logger.warning("notifying \(Excerpt.plain(delivery.url)) of \(what) failed: \(error)")
            }
        } catch {
            // Not sent again before a commit has gone through: a database that
            // refuses writes must not turn into a loop of POSTs.
            unrecorded.insert(delivery.id)
            logger.error("recording delivery \(delivery.id): \(error.message); it is sent again after the next commit")
        }
    }
}
