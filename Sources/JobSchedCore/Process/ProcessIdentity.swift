import Glibc

/// A process's start time, which together with its pid names it: pids are
/// recycled, so after a crash a recorded pid alone could name a stranger.
///
/// The start time is recorded from the boot-time clock just before the
/// spawn rather than read back from /proc, which cost an open and a parse
/// per job; the kernel stamps the new process from that same clock.
enum ProcessIdentity {
    /// /proc counts start times in these clock ticks.
    static let ticksPerSecond = UInt64(sysconf(Int32(_SC_CLK_TCK)))

    /// Now, in /proc's start-time units: clock ticks on the boot-time clock.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_BOOTTIME, &time)
        return UInt64(time.tv_sec) * ticksPerSecond + UInt64(time.tv_nsec) * ticksPerSecond / 1_000_000_000
    }

    /// Whether `pid` is the process spawned at `recorded` (from `now()` just
    /// before the spawn). Another process would have to get the same pid and
    /// start within the same second.
    static func isProcess(_ pid: pid_t, startedAt recorded: UInt64) -> Bool {
        guard let actual = startTime(of: pid) else { return false }
        return actual + 1 >= recorded && actual <= recorded + ticksPerSecond
    }

    /// Field 22 of /proc/PID/stat, in clock ticks after boot; nil if there is no such process.
    static func startTime(of pid: pid_t) -> UInt64? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return startTime(statLine: String(decoding: buffer[..<n], as: UTF8.self))
    }

    /// Parses a /proc/PID/stat line; the command name in parentheses may hold spaces.
    static func startTime(statLine: String) -> UInt64? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }
}
