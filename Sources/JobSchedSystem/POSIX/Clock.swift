import Glibc

/// The wall clock, the one place the server reads the time of day.
package enum Clock {
    /// Seconds since the epoch, now.
    package static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
