/// The last hour, minute by minute: jobs finished and the longest queue. The
/// dashboard draws it; kept as changes happen, so nothing samples on a timer.
package struct ActivityHistory: Equatable {
    package static let minutes = 60

    /// The minute (Unix time / 60) of the last bucket.
    package private(set) var minute: Int64
    /// Oldest first; the last bucket is `minute`.
    package private(set) var finished: [Int]
    package private(set) var queued: [Int]
    /// The queue length now: a minute without changes had this many queued.
    private var currentQueueLength = 0

    package init(now: Double, finishedPerMinute: [Int64: Int] = [:]) {
        minute = ActivityHistory.minute(of: now)
        let first = minute - Int64(ActivityHistory.minutes - 1)
        finished = (first...minute).map { finishedPerMinute[$0] ?? 0 }
        queued = Array(repeating: 0, count: ActivityHistory.minutes)
    }

    package static func minute(of time: Double) -> Int64 { Int64((time / 60).rounded(.down)) }

    package mutating func jobFinished(at time: Double) {
        advance(to: time)
        finished[finished.count - 1] += 1
    }

    package mutating func queueLengthChanged(to length: Int, at time: Double) {
        advance(to: time)
        currentQueueLength = length
        queued[queued.count - 1] = max(queued[queued.count - 1], length)
    }

    /// Moves the window on to the minute of `time`; the minutes skipped had
    /// nothing finished and the queue as it was.
    package mutating func advance(to time: Double) {
        let now = ActivityHistory.minute(of: time)
        guard now > minute else { return }
        let passed = Int(min(now - minute, Int64(ActivityHistory.minutes)))
        finished.removeFirst(passed)
        finished += repeatElement(0, count: passed)
        queued.removeFirst(passed)
        queued += repeatElement(currentQueueLength, count: passed)
        minute = now
    }
}
