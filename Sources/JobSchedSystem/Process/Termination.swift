import CPOSIX
import Glibc
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

/// Collects every exited child without blocking; called on SIGCHLD. With
/// each comes what it cost (wait4's rusage: the child and the descendants it waited for).
package func reapExitedChildren() -> [(pid: pid_t, termination: Termination, usage: ResourceUsage)] {
    var reaped: [(pid_t, Termination, ResourceUsage)] = []
    var status: Int32 = 0
    var usage = rusage()
    while true {
        let pid = wait4(-1, &status, WNOHANG, &usage)
        guard pid > 0 else { break }
        reaped.append((pid, Termination(waitStatus: status), ResourceUsage(usage)))
    }
    return reaped
}

extension ResourceUsage {
    init(_ usage: rusage) {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        // Linux reports ru_maxrss in KiB.
        self.init(userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime),
                  maxRSSKilobytes: Int64(usage.ru_maxrss))
    }
}
