import ArgumentParser
import JobSchedSystem

/// The helper process the server starts to checkpoint its database's
/// write-ahead log off its event loop (see `WALCheckpointer`).
struct WALCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal-checkpoint",
        abstract: "Copy a jobsched database's write-ahead log into the database file (the server runs this itself).",
        shouldDisplay: false)

    @Argument(help: "The SQLite file.")
    var dbfile: String

    func run() throws {
        guard let failure = WALCheckpointer.runHelper(databasePath: dbfile) else { return }
        writeLine("jobsched wal-checkpoint: \(failure)", to: 2)
        throw ExitCode.failure
    }
}
