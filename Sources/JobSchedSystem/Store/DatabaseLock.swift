import Glibc
import JobSchedModel

/// One server per database file: a second one would take the first one's
/// running jobs for a crashed run's and kill them.
///
/// An flock on the file itself, held while the server runs. flock and the
/// fcntl locks SQLite takes do not interact on Linux, and the descriptor is
/// only closed when the store is, so SQLite's locks are never dropped by it.
package final class DatabaseLock {
    private let fd: Int32

    package init(path: String) throws(ServerError) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ServerError("cannot use database '\(path)': \(errnoText())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ServerError("database '\(path)' is in use by another jobsched server")
        }
    }

    deinit { close(fd) }
}
