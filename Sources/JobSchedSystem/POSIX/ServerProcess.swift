import CPOSIX
import CSupport
import Glibc

/// What the server process asks of the system for itself, once, at start.
package enum ServerProcess {
    /// Signal handling and scheduling fit for a server that supervises jobs.
    /// The scheduling slice the server and its job spawner ask for (see `prepare`).
    package static let schedulingSlice: UInt64 = 100_000

    package static func prepare() {
        unblockSignals()
        // A client that disconnects must not kill the server; jobs get SIGPIPE back (SETSIGDEF).
        signal(SIGPIPE, SIG_IGN)
        // Nor may a write past a file-size limit (`ulimit -f`): the write fails
        // with EFBIG instead, which the store and the spool take as a full disk.
        signal(SIGXFSZ, SIG_IGN)
        // Orphaned job processes are re-parented to us, so their exits arrive as
        // SIGCHLD too: that is how the server learns a killed group is empty.
        shim_become_child_subreaper()
        // The loop uses little CPU but each of its wake-ups is on a job's path:
        // with the default slice a woken server (a job spawned, a job ended)
        // can wait a whole slice behind a running job's process on the same
        // CPU. A short slice lets it preempt; its jobs keep the default.
        _ = jobsched_request_scheduling_slice(ServerProcess.schedulingSlice)
    }
}

extension ServerProcess {
    /// SQLite maps the database's shared-memory index (`-shm`): touching it
    /// once the file is cut short, or writing it once it cannot be written
    /// (made immutable, its disk gone), is a SIGBUS, which ends the server.
    /// It says why on stderr first.
    package static func explainBusErrors(databasePath: String) {
        jobsched_explain_bus_errors(
            "jobsched: fatal: SIGBUS: a memory-mapped file could not be accessed. The one the server maps is "
                + "the database's shared-memory index, '\(databasePath)-shm': it was truncated, made immutable or "
                + "read-only, or its disk failed. What was committed is safe: fix the file and start the server again.\n")
    }
}

/// A parent (a test runner, a service manager) may hand its children blocked
/// signals: the server must still get SIGCHLD and SIGTERM, and a client
/// SIGINT, so that Ctrl-C ends a `jobsched run` and with it its job.
package func unblockSignals() {
    var empty = sigset_t()
    sigemptyset(&empty)
    sigprocmask(SIG_SETMASK, &empty, nil)
}

/// The signals the server handles or sends, by name.
package struct Signal: Equatable, Sendable {
    package let rawValue: Int32

    package static let child = Signal(rawValue: SIGCHLD)
    package static let interrupt = Signal(rawValue: SIGINT)
    package static let terminate = Signal(rawValue: SIGTERM)
    package static let hangup = Signal(rawValue: SIGHUP)
    package static let kill = Signal(rawValue: SIGKILL)

    /// Sends the signal to every process of a process group; false if none was there.
    @discardableResult
    package func send(toGroup group: Int32) -> Bool { Glibc.kill(-group, rawValue) == 0 }
}
