/// Which queued jobs wait for which others (`after=` and `afterany=`).
///
/// Only unfinished jobs are ever added as dependencies, and a job can only
/// name jobs that existed before it, so there are no cycles.
package struct DependencyGraph {
    package init() {}

    package enum Kind: Equatable {
        /// Start only if the dependency ends with `success` and returncode 0.
        case afterSuccess
        /// Start once the dependency has ended, however.
        case afterAny
    }

    private var unmet: [JobID: [JobID: Kind]] = [:]
    private var dependents: [JobID: Set<JobID>] = [:]

    package func isBlocked(_ id: JobID) -> Bool { !(unmet[id]?.isEmpty ?? true) }

    /// The dependencies `id` still waits for.
    package func blockers(of id: JobID) -> [JobID] { (unmet[id]?.keys).map { $0.sorted() } ?? [] }

    /// Naming a job in both `after` and `afterany` keeps the stricter `after`.
    package mutating func add(_ id: JobID, waitsFor dependency: JobID, kind: Kind) {
        if unmet[id]?[dependency] != .afterSuccess { unmet[id, default: [:]][dependency] = kind }
        dependents[dependency, default: []].insert(id)
    }

    /// What a finished job means for those waiting on it: the ones now free to
    /// start, and the ones that can never start (an `after=` dependency that did not succeed).
    package mutating func resolve(_ finished: JobID, succeeded: Bool) -> (unblocked: [JobID], broken: [JobID]) {
        var unblocked: [JobID] = []
        var broken: [JobID] = []
        for waiter in (dependents.removeValue(forKey: finished) ?? []).sorted() {
            guard let kind = unmet[waiter]?.removeValue(forKey: finished) else { continue }
            if kind == .afterSuccess && !succeeded {
                broken.append(waiter)
            } else if unmet[waiter]?.isEmpty == true {
                unmet[waiter] = nil
                unblocked.append(waiter)
            }
        }
        return (unblocked, broken)
    }

    /// Forgets a job that will not start (killed while waiting).
    package mutating func remove(_ id: JobID) {
        for dependency in unmet.removeValue(forKey: id)?.keys ?? [:].keys {
            dependents[dependency]?.remove(id)
            if dependents[dependency]?.isEmpty == true { dependents[dependency] = nil }
        }
    }
}
