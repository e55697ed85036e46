import Glibc

/// The start time of a process, which together with its pid names it
/// uniquely: pids are recycled, (pid, start time) pairs are not.
enum ProcessIdentity {
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
