import ArgumentParser
import JobSchedAPI

struct PauseCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Start no new jobs in a group, or in every group; running ones go on.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The group (default: every group).") var group: String?

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 { try server.print(.pause, .group(group)) }
}

struct ResumeCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Start jobs again in a paused group, or in every group.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The group (default: every group).") var group: String?

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 { try server.print(.resume, .group(group)) }
}

struct GroupsCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "The groups: limit, paused, queued, running, finished by outcome, done out of all.",
        discussion: "jobsched groups NAME --limit N sets a group's own limit of running jobs (none removes it).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "A group to set.") var name: String?
    @Option(help: "Most jobs running at once in the group; none: no limit of its own.") var limit: String?

    func validate() throws {
        guard (name == nil) == (limit == nil) else { throw ValidationError("give a group and --limit together") }
    }

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        var form = FormBody()
        form.add("name", name)
        form.add("limit", limit)
        return try server.print(.group, form)
    }
}

struct ShutdownCommand: ClientCommand {
    static let configuration = CommandConfiguration(commandName: "shutdown", abstract: "Kill every job and stop the server.")
    @OptionGroup var connection: ConnectionOptions

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 { try server.print(.shutdown) }
}

extension FormBody {
    /// `group=NAME`, or nothing for every group.
    static func group(_ name: String?) -> FormBody {
        var form = FormBody()
        form.add("group", name)
        return form
    }
}
