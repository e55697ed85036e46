import ArgumentParser
import JobSchedAPI
import JobSchedModel
import JobSchedSystem

struct AddCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Queue a command as a job and print its id.",
        discussion: "e.g. jobsched add -n build -- make -j4; jobsched add 'make && make test'")

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .shortAndLong, help: "Print the job id only.")
    var quiet = false
    @OptionGroup var job: JobOptions

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        let id = try server.text(.submit, job.form(sync: false)).trimming(\.isWhitespace)
        writeLine(quiet ? String(id) : "job \(id) added", to: 1)
        return 0
    }
}

struct RunCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command as a job, print its output as it comes, and exit as it does.",
        discussion: """
            The exit status is the job's returncode; 128+N when signal N ended it; \
            \(ClientExit.killed) when jobsched killed it (kill, timeout, shutdown); \
            \(ClientExit.couldNotStart) when it could not start; \(ClientExit.jobschedFailed) when jobsched could not run it. \
            Ctrl-C kills the job. Its stdout and stderr both come out on stdout.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var job: JobOptions

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        let end = try server.streamJob(.submit, job.form(sync: true), startsWithJobID: true)
        if !end.succeeded { writeLine(end.trailer, to: 2) }
        return ClientExit.status(of: end)
    }
}
