import ArgumentParser
import JobSchedAPI
import JobSchedSystem

/// `jobsched SUBCOMMAND`: a client subcommand goes straight to the client,
/// which parses its own command line (see `ClientOption`); everything else,
/// the server above all, goes through swift-argument-parser.
@main
enum JobSchedMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let name = arguments.first, let subcommand = ClientSubcommand(name: name) {
            exitProcess(ClientProgram.run(subcommand, Array(arguments.dropFirst())))
        }
        if arguments.first == "completion" {
            writeAll(Array(ClientHelp.bashCompletion.utf8), to: 1)
            return
        }
        if let first = arguments.first, ["help", "--help", "-h"].contains(first) {
            help(topic: arguments.dropFirst().first)
        }
        // A word that names no subcommand is a typo, not an argument of the server's.
        if let first = arguments.first, !first.hasPrefix("-"), !["serve", "wal-checkpoint"].contains(first) {
            writeAll(Array(ClientHelp.unknownSubcommand(first).utf8), to: 2)
            exitProcess(ClientExit.usage)
        }
        // What scripts call to see that jobsched is there: as fast as the client.
        if arguments == ["--version"] {
            writeLine(JobSchedCommand.version, to: 1)
            return
        }
        JobSchedCommand.main()
    }

    /// `jobsched help [TOPIC]`: the root help, a client subcommand's, or the server's options.
    private static func help(topic: String?) -> Never {
        guard let topic else {
            writeAll(Array(ClientHelp.root.utf8), to: 1)
            exitProcess(0)
        }
        if let subcommand = ClientSubcommand(name: topic) {
            writeAll(Array(ClientHelp.usage(subcommand).utf8), to: 1)
            exitProcess(0)
        }
        guard topic == "serve" else {
            writeAll(Array(ClientHelp.unknownSubcommand(topic).utf8), to: 2)
            exitProcess(ClientExit.usage)
        }
        JobSchedCommand.main(["serve", "--help"])
        exitProcess(0)
    }
}

/// `jobsched` with no subcommand starts the server, as `jobsched serve` does.
struct JobSchedCommand: ParsableCommand {
    static let version = "jobsched 0.16.0 (\(buildCommit))"

    static let configuration = CommandConfiguration(
        commandName: "jobsched",
        abstract: "A job scheduler: a server that runs bash command lines sent over HTTP, at most -j at once, and its client.",
        discussion: """
            Start the server with `jobsched` (options: jobsched serve --help). Then talk to it with curl \
            (curl 127.0.0.1:4321/help) or with these subcommands (jobsched SUBCOMMAND --help), which find the server \
            at --url, else $JOBSCHED_URL, else 127.0.0.1:4321:

            \(ClientHelp.subcommandList)
            """,
        version: version,
        subcommands: [ServeCommand.self, WALCheckpointCommand.self],
        defaultSubcommand: ServeCommand.self)
}
