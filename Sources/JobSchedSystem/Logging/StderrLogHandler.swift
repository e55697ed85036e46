import Logging
import JobSchedModel

/// Log lines on stderr: `2026-11-29T05:49:10Z info job 7 started ...`.
///
/// Times are UTC, like every time in the API; unlike swift-log's stream
/// handler this does not ask the local time zone (a stat of /etc/localtime)
/// for every line, which cost a tenth of a short job's server time, and its
/// lines go out through `LogOutput`, one write(2) per loop iteration.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(level: Logger.Level) {
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Per-job lines carry no metadata: no dictionary to merge and sort for them.
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        let line = StderrLogHandler.format(time: Clock.now(), level: event.level, message: event.message.description,
                                           metadata: merged)
        LogOutput.standardError.write(line, urgent: event.level >= .notice)
    }

    /// One line, metadata sorted by key so lines are stable. Copied into one
    /// buffer of the right size: there are a few lines per job.
    package static func format(time: Double, level: Logger.Level, message: String, metadata: Logger.Metadata) -> [UInt8] {
        let fields = metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let pieces = [" ", level.rawValue, " ", message, fields, "\n"]
        let capacity = Timestamp.maxISO8601Length + pieces.reduce(0) { $0 + $1.utf8.count }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = Timestamp.writeISO8601(time, into: buffer)
            for var piece in pieces {
                piece.withUTF8 { bytes in
                    count += UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(fromContentsOf: bytes)
                }
            }
        }
    }
}
