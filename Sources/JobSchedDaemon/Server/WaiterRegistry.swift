import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// A `/wait` request held until its jobs have finished.
package final class Waiter {
    package let request: HTTPRequest
    package let ids: [JobID]
    package let format: OutputFormat
    /// `fail=1`: answer 409 unless every job succeeded.
    package let failUnlessAllSucceed: Bool
    /// How many of its jobs are still active: a count, not a set, since
    /// thousands of waiters may be held (the registry knows which jobs).
    fileprivate var remaining = 0
    /// The `timeout=` timer, if one was asked for.
    package var timer: Event?

    package init(request: HTTPRequest, ids: [JobID], format: OutputFormat, failUnlessAllSucceed: Bool) {
        self.request = request
        self.ids = ids
        self.format = format
        self.failUnlessAllSucceed = failUnlessAllSucceed
    }
}

/// Every held `/wait`, indexed by the jobs it waits for, so that a job's end
/// touches only its own waiters and thousands can be held at once.
package final class WaiterRegistry {
    package typealias Key = Int
    private var waiters: [Key: Waiter] = [:]
    private var waitersByJob: [JobID: Set<Key>] = [:]
    private var nextKey: Key = 0
    /// Called once for a waiter whose last job has finished; it is no longer registered.
    package var onComplete: (Waiter) -> Void = { _ in }

    /// Holds `waiter` until each job of `pending` (its active jobs) has finished.
    package func add(_ waiter: Waiter, pending: Set<JobID>) -> Key {
        nextKey += 1
        waiters[nextKey] = waiter
        waiter.remaining = pending.count
        for id in pending { waitersByJob[id, default: []].insert(nextKey) }
        return nextKey
    }

    /// Forgets a waiter (timed out, or its client left); nil if it was already gone.
    @discardableResult
    package func remove(_ key: Key) -> Waiter? {
        guard let waiter = waiters.removeValue(forKey: key) else { return nil }
        waiter.timer = nil
        // Its jobs that are still active are among its ids.
        for id in waiter.ids {
            waitersByJob[id]?.remove(key)
            if waitersByJob[id]?.isEmpty == true { waitersByJob[id] = nil }
        }
        return waiter
    }

    /// Forgets every waiter and returns them, to be answered as things are.
    package func removeAll() -> [Waiter] {
        let all = waiters.keys.sorted().compactMap { remove($0) }
        waitersByJob = [:]
        return all
    }

    package func jobFinished(_ id: JobID) {
        for key in waitersByJob.removeValue(forKey: id) ?? [] {
            guard let waiter = waiters[key] else { continue }
            waiter.remaining -= 1
            if waiter.remaining == 0, let done = remove(key) { onComplete(done) }
        }
    }
}
