/// What a job's run cost, as the kernel reports it when its process is
/// reaped: the CPU time of the process and of the descendants it waited for,
/// and the largest resident set among them.
public struct ResourceUsage: Equatable, Sendable {
    public var userSeconds: Double
    public var systemSeconds: Double
    /// Peak resident set size, in KiB.
    public var maxRSSKilobytes: Int64

    public init(userSeconds: Double, systemSeconds: Double, maxRSSKilobytes: Int64) {
        (self.userSeconds, self.systemSeconds, self.maxRSSKilobytes) = (userSeconds, systemSeconds, maxRSSKilobytes)
    }
}
