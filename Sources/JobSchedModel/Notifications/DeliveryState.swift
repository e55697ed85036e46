/// Where a finished job's notification stands (`notify_status`): waiting in
/// the outbox to be sent (again), received (its outbox row is gone), or
/// given up, with how many attempts were made and the last one's error.
package struct DeliveryState: Equatable, Sendable {
    package enum Status: String, Sendable { case pending, delivered, failed }

    package var status: Status
    package var attempts: Int
    package var lastError: String?

    package init(status: Status, attempts: Int = 0, lastError: String? = nil) {
        (self.status, self.attempts, self.lastError) = (status, attempts, lastError)
    }

    package var json: JSON {
        // A delivered one's row is gone, and its attempts with it.
        .object([("status", .string(status.rawValue)), ("attempts", status == .delivered ? .null : .int(Int64(attempts))),
                 ("error", JSON(lastError))])
    }

    /// `pending`, `failed (3 attempts: HTTP 404, not retried)`.
    package var text: String {
        guard attempts > 0, status != .delivered else { return status.rawValue }
        return "\(status.rawValue) (\(attempts) attempt\(attempts == 1 ? "" : "s")\(lastError.map { ": \($0)" } ?? ""))"
    }
}
