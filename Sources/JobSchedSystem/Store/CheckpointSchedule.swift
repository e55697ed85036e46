import JobSchedModel

/// When the write-ahead log is due for a checkpoint: each time it has grown
/// by `interval` frames since the last checkpoint began. Pure, so it is
/// tested without a database.
package struct CheckpointSchedule {
    /// SQLite's own default (about 4 MB of log).
    package static let defaultInterval = 1000

    package let interval: Int
    /// The log's length when the last checkpoint began (0 after the log restarted).
    private var base = 0
    private var lastFrames = 0

    package init(interval: Int = CheckpointSchedule.defaultInterval) {
        self.interval = interval
    }

    /// Whether to begin a checkpoint, told after a commit that the log now
    /// holds `frames` frames and whether a checkpoint is still running.
    package mutating func isDue(frames: Int, running: Bool) -> Bool {
        // A shorter log than last time: a checkpoint copied it all and the
        // log started again from its beginning.
        if frames < lastFrames { base = 0 }
        lastFrames = frames
        guard !running, frames - base >= interval else { return false }
        base = frames
        return true
    }
}
