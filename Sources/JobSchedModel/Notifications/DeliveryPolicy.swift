/// When a delivery is done, tried again or given up: a 2xx delivers it;
/// connection errors, timeouts, 408, 429 and 5xx are tried again after 1 s,
/// then twice as long each time up to 10 minutes, for `retryFor` seconds
/// after the delivery was made; any other answer fails it at once.
package struct DeliveryPolicy: Sendable {
    /// How long one attempt may take, connection and answer together.
    package static let attemptTimeout = 10.0
    package static let firstBackoff = 1.0
    package static let maxBackoff = 600.0

    /// `--webhook-retry-for`.
    package var retryFor: Double

    package init(retryFor: Double) { self.retryFor = retryFor }

    /// What an attempt came to.
    package enum Answer: Equatable {
        case status(Int)
        /// No answer: the connection could not be made or broke, the time ran out, the address was refused.
        case error(String, retryable: Bool)
    }

    package enum Decision: Equatable {
        case delivered
        case retry(at: Double, error: String)
        case failed(String)
    }

    /// The wait after the `attempts`-th failed attempt.
    package static func backoff(afterAttempts attempts: Int) -> Double {
        min(maxBackoff, firstBackoff * Double(1 << min(max(attempts - 1, 0), 20)))
    }

    /// What follows the `attempts`-th attempt (counting it) of a delivery made at `created`.
    package func decide(_ answer: Answer, attempts: Int, created: Double, now: Double) -> Decision {
        let error: String
        switch answer {
        case .status(let code) where (200...299).contains(code):
            return .delivered
        case .status(let code) where code == 408 || code == 429 || (500...599).contains(code):
            error = "HTTP \(code)"
        case .status(let code):
            return .failed("HTTP \(code)" + ((300...399).contains(code) ? " (a redirect: not followed)" : "") + ", not retried")
        case .error(let message, let retryable):
            guard retryable else { return .failed(message) }
            error = message
        }
        let next = now + DeliveryPolicy.backoff(afterAttempts: attempts)
        guard next <= created + retryFor else {
            return .failed("\(error); gave up after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(Timestamp.seconds((now - created).rounded())) s (--webhook-retry-for)")
        }
        return .retry(at: next, error: error)
    }
}
