/// How a job's run ended, as its executor reports it.
package enum Termination: Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// The original's convention: the exit code, or -N for signal N.
    package var returncode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return -signal
        }
    }
}

/// How a job's run ended, as its executor reports it.
package enum RunEnd: Equatable {
    /// Its command ran and ended; `endedBy` says why when the cluster ended it
    /// (its time limit, a node failure), which makes the job `killed`; `usage`:
    /// what it cost, where known.
    case ran(Termination, endedBy: String? = nil, usage: ResourceUsage? = nil)
    /// It never ran: the cluster refused it (a bad partition). The job is `failed` with this message.
    case refused(String)
    /// Its node failed under it (the cluster says why): no fault of its own,
    /// so it runs again if it has attempts left (`retries=`), else it is `killed`.
    case nodeFailed(Termination, endedBy: String)
    /// It was cancelled before it started: `killed`, with no returncode.
    case cancelledBeforeStart(endedBy: String)
    /// How it ended is not known (the cluster forgot it): `killed` with this
    /// message, and no returncode rather than a made-up one.
    case lost(endedBy: String)
    /// It never reached the cluster: the server stopped (a crash) between its
    /// start and its handoff. Queued again with --resume, as if it had not
    /// started; else `killed` with this message, as a queued job is.
    case notHandedOver(endedBy: String)

    package var returncode: Int32? {
        switch self {
        case .ran(let termination, _, _), .nodeFailed(let termination, _): return termination.returncode
        case .refused, .cancelledBeforeStart, .lost, .notHandedOver: return nil
        }
    }

    package var usage: ResourceUsage? {
        guard case .ran(_, _, let usage) = self else { return nil }
        return usage
    }
}

/// Where a job handed to a cluster is, as the cluster last said.
package struct ClusterPlacement: Equatable {
    /// The job's process on this machine, when its executor learns it after the start (the local one's spawner).
    package var pid: Int32?
    package var slurmJobID: Int64?
    package var node: String?
    package var state: String?
    /// The cluster's reason for the state, if it gives one: why a waiting job waits.
    package var reason: String?
    /// Its command has begun on a node: it no longer waits in the cluster's queue.
    package var hasBegun: Bool

    package init(slurmJobID: Int64?, node: String?, state: String?, reason: String? = nil, hasBegun: Bool = false) {
        (self.slurmJobID, self.node, self.state, self.reason, self.hasBegun) = (slurmJobID, node, state, reason, hasBegun)
    }

    /// A job's process on this machine, once known; it says nothing of a cluster.
    package init(pid: Int32) {
        self.init(slurmJobID: nil, node: nil, state: nil)
        self.pid = pid
    }

    /// It gives only the process (`init(pid:)`).
    package var isProcessOnly: Bool { pid != nil && slurmJobID == nil && node == nil && state == nil }

    /// What the job's `msg` says while the cluster holds it (`pending in Slurm: Resources`); nil once it runs.
    package var waitingMessage: String? {
        guard !hasBegun, state == "PENDING" else { return nil }
        return "pending in Slurm" + (reason.map { ": " + $0 } ?? "")
    }
}
