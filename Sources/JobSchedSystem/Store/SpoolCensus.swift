/// How much the spool takes on disk: its files and their bytes (as `du`
/// counts them). Counted a few thousand names a turn, so that a spool of a
/// million files is counted between other work, and counted again when asked
/// for once the last count is old: a second, or ten times as long as the last
/// count took, so that a huge spool is not counted all the time. Files come and go with every job,
/// are cut and removed in steps: a count is simpler to keep right than a sum
/// kept up to date through all of that and across restarts.
package final class SpoolCensus {
    package struct Count: Equatable {
        package var files = 0
        package var bytes = 0
    }

    /// The last complete count; nil until the first is done.
    package private(set) var last: Count?
    private let directory: String
    private let turns: Turns
    private var startedAt = -Double.infinity
    private var isCounting = false
    /// How long the last count took, from its start to its end.
    private var lastDuration = 0.0

    static let minAge = 1.0
    static let namesPerStep = 2048

    package init(directory: String, turns: Turns) {
        self.directory = directory
        self.turns = turns
    }

    /// Starts a count, unless one is under way or the last is recent.
    package func refresh(now: Double = Clock.now()) {
        guard !isCounting, now - startedAt >= max(SpoolCensus.minAge, 10 * lastDuration) else { return }
        isCounting = true
        startedAt = now
        let reader = DirectoryReader(directory)
        var count = Count()
        turns.add { [unowned self, directory] in
            guard let names = reader.next(SpoolCensus.namesPerStep) else {
                last = count
                isCounting = false
                lastDuration = Clock.now() - startedAt
                return false
            }
            // Not the database mark (`.database`): it is no job's output.
            for name in names where !name.hasPrefix(".") {
                count.files += 1
                count.bytes += diskUsage(directory + "/" + name)
            }
            return true
        }
    }
}
