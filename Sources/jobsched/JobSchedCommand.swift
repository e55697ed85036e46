import ArgumentParser

/// `jobsched`: the server, and the client subcommands that talk to it.
/// With no subcommand it starts the server, as `jobsched serve` does.
@main
struct JobSchedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobsched",
        abstract: "A job scheduler: a server that runs bash command lines sent over HTTP, at most -j at once, and its client.",
        discussion: """
            Start the server: jobsched -j 4 (see jobsched serve --help). Then: jobsched add -- make test; jobsched ls; \
            or with curl: curl 127.0.0.1:4321/help. Client subcommands find the server at --url, $JOBSCHED_URL or 127.0.0.1:4321.
            """,
        version: "jobsched 0.16.0",
        subcommands: [
            ServeCommand.self, AddCommand.self, RunCommand.self, ListCommand.self, ShowCommand.self, LogCommand.self,
            FollowCommand.self, WaitCommand.self, KillCommand.self, PauseCommand.self, ResumeCommand.self,
            RemoveCommand.self, RestartCommand.self, GroupsCommand.self, ShutdownCommand.self,
            WALCheckpointCommand.self,
        ],
        defaultSubcommand: ServeCommand.self)
}
