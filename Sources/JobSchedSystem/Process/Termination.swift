import CPOSIX
import JobSchedModel

extension Termination {
    /// Decoded from a `waitpid` status.
    package init(waitStatus status: Int32) {
        if shim_wifsignaled(status) != 0 {
            self = .signaled(shim_wtermsig(status))
        } else {
            self = .exited(shim_wexitstatus(status))
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
