import ArgumentParser
import JobSchedAPI
import JobSchedModel

struct KillCommand: ClientCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Cancel queued or running jobs.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The jobs.") var ids: [JobID]

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 { try server.print(.kill, .jobs(ids)) }
}

struct RemoveCommand: ClientCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete finished jobs and their kept output.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The jobs.") var ids: [JobID]

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 { try server.print(.remove, .jobs(ids)) }
}

struct RestartCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Queue a finished job's command again, as a new job; print the new id.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The finished job.") var id: JobID

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 { try server.print(.restart, .jobs([id])) }
}
