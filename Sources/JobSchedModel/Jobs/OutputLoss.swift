/// Output the spool could not keep: the disk was full, the server's file-size
/// limit was reached, or the spool file went away while the job ran. A job
/// that lost output says so in its `msg`, and `/output` ends with that line,
/// so that a short output is never taken for the whole of it.
package struct OutputLoss: Equatable, Sendable {
    /// Bytes not kept, in the stream that lost most.
    package var bytes: Int
    /// Why the first of them was not kept.
    package var reason: String

    package init(bytes: Int, reason: String) {
        self.bytes = bytes
        self.reason = reason
    }

    private static let label = "output lost: "

    /// What the job's `msg` says of it.
    package var message: String { "\(OutputLoss.label)\(bytes) bytes not kept (\(reason))" }

    /// The line written into a spool file where writing could start again after a loss.
    package static func gapMarker(bytes: Int, reason: String) -> [UInt8] {
        Array("\njobsched: \(bytes) bytes of output lost here (\(reason))\n".utf8)
    }

    /// A job's `msg` with the loss added after what it says already.
    package static func msg(_ msg: String, adding loss: OutputLoss?) -> String {
        guard let loss else { return msg }
        return msg.isEmpty ? loss.message : "\(msg); \(loss.message)"
    }

    /// The loss a job's `msg` reports (`output lost: ...`), for the last line of `/output`.
    package static func reported(in msg: String) -> String? {
        guard let start = msg.firstRange(of: label) else { return nil }
        return String(msg[start.lowerBound...])
    }
}
