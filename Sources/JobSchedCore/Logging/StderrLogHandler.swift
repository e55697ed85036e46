import Glibc
import Logging

/// Log lines on stderr: `2026-11-29T05:49:10Z info job 7 started ...`.
///
/// Times are UTC, like every time in the API; unlike swift-log's stream
/// handler this does not ask the local time zone (a stat of /etc/localtime)
/// for every line, which cost a tenth of a short job's server time, and it
/// writes each line with one write(2).
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
        var line = StderrLogHandler.format(time: Timestamp.now(), level: event.level, message: event.message.description,
                                           metadata: merged)
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// One line, metadata sorted by key so lines are stable. Appended piece by
    /// piece into one buffer: there are a few lines per job.
    static func format(time: Double, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = Timestamp.iso8601(time)
        line.reserveCapacity(line.utf8.count + level.rawValue.utf8.count + message.utf8.count + 3)
        line += " "
        line += level.rawValue
        line += " "
        line += message
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += "\n"
        return line
    }
}
