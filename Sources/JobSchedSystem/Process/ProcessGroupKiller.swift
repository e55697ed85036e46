import CPOSIX
import Glibc
import JobSchedModel

/// Ends process groups the Slurm way: SIGTERM now, SIGKILL after a grace period.
///
/// One pending SIGKILL timer per group. A group whose leader pid is handed to a
/// new job must have emptied (Linux does not reuse a pid still used as a
/// process group id), so its timer is dropped rather than hit the new job.
package final class ProcessGroupKiller {
    private let loop: EventLoop
    private let grace: Double
    private var pendingKills: [pid_t: Event] = [:]
    /// Called whenever the last pending group is gone.
    package var onIdle: () -> Void = {}

    package init(loop: EventLoop, grace: Double) {
        self.loop = loop
        self.grace = grace
    }

    package var isIdle: Bool { pendingKills.isEmpty }

    /// Sends SIGTERM to the group, and SIGKILL after the grace period unless it is already empty.
    package func terminate(group pgid: pid_t) {
        guard pgid > 0, pendingKills[pgid] == nil else { return }
        guard kill(-pgid, SIGTERM) == 0 else { return }  // ESRCH: nobody left
        pendingKills[pgid] = loop.timer(after: grace) { [unowned self] in self.killNow(group: pgid) }
    }

    /// Skips the rest of every grace period (a second Ctrl-C).
    package func killAllNow() {
        for pgid in Array(pendingKills.keys) { killNow(group: pgid) }
    }

    /// A new process got `pid`, so no old group with that id can still exist.
    package func forget(reusedPID pid: pid_t) {
        pendingKills[pid] = nil
    }

    /// Drops the timers of groups whose processes have all exited. Called after
    /// reaping: the server is a child subreaper, so it gets SIGCHLD for orphaned
    /// group members too and never has to poll.
    package func forgetEmptyGroups() {
        guard !pendingKills.isEmpty else { return }
        for pgid in Array(pendingKills.keys) where kill(-pgid, 0) != 0 && errno == ESRCH {
            pendingKills[pgid] = nil
        }
        if pendingKills.isEmpty { onIdle() }
    }

    private func killNow(group pgid: pid_t) {
        kill(-pgid, SIGKILL)
        pendingKills[pgid] = nil
        if pendingKills.isEmpty { onIdle() }
    }
}
