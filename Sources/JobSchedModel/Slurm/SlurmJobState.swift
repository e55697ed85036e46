/// One job as `squeue` lists it: where it runs, its state and, once it has
/// ended, how. The poll asks for every job of this user in one call.
public struct SlurmJobState: Equatable, Sendable {
    public var slurmJobID: Int64
    public var name: String
    /// PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
    public var state: String
    public var node: String?
    public var reason: String
    /// The raw wait status of the job's script (`exit_code`): exit code << 8, or the signal.
    public var waitStatus: Int32

    public init(slurmJobID: Int64, name: String, state: String, node: String?, reason: String, waitStatus: Int32) {
        (self.slurmJobID, self.name, self.state, self.node, self.reason, self.waitStatus) =
            (slurmJobID, name, state, node, reason, waitStatus)
    }

    /// `squeue -O` fields, `|` after each, so a name with spaces stays one field.
    package static let squeueFormat = "JobID:|,Name:|,State:|,NodeList:|,Reason:|,exit_code:|"

    /// The lines of `squeue -h -O squeueFormat`; lines that do not parse are skipped.
    package static func parseListing(_ text: String) -> [SlurmJobState] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            // The name may itself hold `|`: the fields around it are counted from both ends.
            guard fields.count >= 7, let id = Int64(fields[0]), let status = Int32(fields[fields.count - 2]) else { return nil }
            let name = fields[1..<(fields.count - 5)].joined(separator: "|")
            let node = fields[fields.count - 4]
            return SlurmJobState(slurmJobID: id, name: name, state: fields[fields.count - 5],
                                 node: node.isEmpty || node == "(null)" ? nil : node,
                                 reason: fields[fields.count - 3], waitStatus: status)
        }
    }

    /// Whether its command has begun on a node (whether it still runs or not).
    public var hasBegun: Bool { node != nil && !SlurmJobState.notBegunStates.contains(state) }

    /// States of a job that waits: to be placed, for its node to boot, to be run again.
    private static let notBegunStates: Set<String> = [
        "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD",
    ]

    /// Whether the job will not run (again): its end is known.
    public var hasEnded: Bool { !SlurmJobState.activeStates.contains(state) }

    private static let activeStates: Set<String> = [
        "PENDING", "RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD",
        "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD",
    ]

    /// How the job's script ended: its exit code, or the signal that ended it.
    package var termination: Termination {
        let signal = waitStatus & 0x7f
        return signal != 0 ? .signaled(signal) : .exited((waitStatus >> 8) & 0xff)
    }

    /// The reason, when Slurm gives one (`None` it says of a job it has no reason about).
    package var givenReason: String? { reason.isEmpty || reason == "None" ? nil : reason }

    /// `slurm: STATE (REASON)`: why a job that never ran ended, or Slurm ended one.
    package var stateAndReason: String {
        "slurm: \(state)" + (givenReason.map { " (\($0))" } ?? "")
    }

    /// Its node failed, or did not boot: the job itself is not to blame.
    package var isNodeFailure: Bool { state == "NODE_FAIL" || state == "BOOT_FAIL" }

    /// Why Slurm itself ended the job, for its `msg`; nil when the job's command ended by itself.
    package var slurmEndReason: String? {
        switch state {
        case "COMPLETED", "FAILED": return nil
        case "TIMEOUT": return "slurm: TIMEOUT (the job's time limit)"
        case "NODE_FAIL": return "slurm: NODE_FAIL (its node \(node ?? "?") failed)"
        case "PREEMPTED": return "slurm: PREEMPTED"
        case "OUT_OF_MEMORY": return "slurm: OUT_OF_MEMORY"
        case "BOOT_FAIL": return "slurm: BOOT_FAIL (its node did not boot)"
        case "DEADLINE": return "slurm: DEADLINE"
        case "CANCELLED": return "slurm: CANCELLED (not by jobsched)"
        default: return stateAndReason
        }
    }
}
