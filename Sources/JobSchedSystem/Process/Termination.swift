import CPOSIX
import CLibEvent
import JobSchedModel

/// How a reaped process ended, decoded from its `waitpid` status.
package enum Termination: Equatable {
    case exited(Int32)
    case signaled(Int32)

    package init(waitStatus status: Int32) {
        if shim_wifsignaled(status) != 0 {
            self = .signaled(shim_wtermsig(status))
        } else {
            self = .exited(shim_wexitstatus(status))
        }
    }

    /// The original's convention: the exit code, or -N for signal N.
    package var returncode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return -signal
        }
    }
}

/// Collects every exited child without blocking; called on SIGCHLD.
package func reapExitedChildren() -> [(pid: pid_t, termination: Termination)] {
    var reaped: [(pid_t, Termination)] = []
    var status: Int32 = 0
    while true {
        let pid = waitpid(-1, &status, WNOHANG)
        guard pid > 0 else { break }
        reaped.append((pid, Termination(waitStatus: status)))
    }
    return reaped
}
