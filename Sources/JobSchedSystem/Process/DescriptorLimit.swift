import CPOSIX
import Glibc
import JobSchedModel

/// The server's limit on open descriptors.
///
/// The server raises its soft limit to the hard limit: each connection is a
/// descriptor. Its jobs must not inherit that: the raised limit is not theirs
/// (a job gets the limit the server was started with, as under a shell), and
/// bash starts about 0.1 ms slower with a limit of 20,000. posix_spawn cannot
/// set a child's limits, so the original goes back around each spawn.
package struct DescriptorLimit {
    private let original: rlim_t
    private let raised: rlim_t

    /// The limit as it is, left alone around spawns.
    package static let unchanged = DescriptorLimit(original: 0, raised: 0)

    /// Raises the soft limit to the hard limit.
    package static func raise() -> DescriptorLimit {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return .unchanged }
        let original = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        guard original < limit.rlim_max, setrlimit(resource, &limit) == 0 else { return .unchanged }
        return DescriptorLimit(original: original, raised: limit.rlim_max)
    }

    /// Runs `spawn` under the original soft limit. Descriptors already open
    /// above it stay valid; the loop opens none meanwhile (one thread).
    package func whileSpawning<T, E: Error>(_ spawn: () throws(E) -> T) throws(E) -> T {
        guard raised > original else { return try spawn() }
        setSoftLimit(original)
        defer { setSoftLimit(raised) }
        return try spawn()
    }

    private func setSoftLimit(_ value: rlim_t) {
        var limit = rlimit(rlim_cur: value, rlim_max: raised)
        setrlimit(DescriptorLimit.resource, &limit)
    }

    private static let resource = Int32(RLIMIT_NOFILE.rawValue)
}
