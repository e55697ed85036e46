import ArgumentParser
import JobSchedAPI
import JobSchedSystem

/// What `add` and `run` pass to /submit: its parameters as flags, and the
/// command as the words after `--` (or after the options).
struct JobOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Job name (default: job).")
    var name: String?

    @Option(name: .shortAndLong, help: "Group (default: default).")
    var group: String?

    @Option(help: "Higher runs first.")
    var priority: Int?

    @Option(help: ArgumentHelp("Job ids that must succeed first, comma-separated.", valueName: "ids"))
    var after: String?

    @Option(name: .customLong("afterany"), help: ArgumentHelp("Job ids that must end first, however they end.", valueName: "ids"))
    var afterAny: String?

    @Option(help: "Wait this long before starting: 90, 10m, 1h30m, 2d.")
    var delay: String?

    @Option(help: "Do not start before this time: 2026-11-29T18:00:00Z, or +10m.")
    var at: String?

    @Option(help: "Kill a run that takes longer: 90, 10m, 1h.")
    var timeout: String?

    @Option(help: "Run again up to N times while it exits non-zero.")
    var retries: Int?

    @Option(name: .customLong("retry-delay"), help: "Time between a failed run and the next.")
    var retryDelay: String?

    @Flag(help: "If a queued or running job has the same name and group, use it instead.")
    var unique = false

    @Option(name: [.customShort("e"), .customLong("env")], help: ArgumentHelp("NAME=VALUE for the job's environment; repeat for more.", valueName: "name=value"))
    var environment: [String] = []

    @Option(help: "Working directory (default: this one).")
    var cwd: String?

    @Option(help: "File for the job's stdout.")
    var outlog: String?

    @Option(help: "File for the job's stderr.")
    var errlog: String?

    @Option(help: "--executor slurm: partition.") var partition: String?
    @Option(help: "--executor slurm: CPUs per task.") var cpus: Int?
    @Option(help: "--executor slurm: memory, e.g. 4G.") var mem: String?
    @Option(help: "--executor slurm: generic resources, e.g. gpu:1.") var gres: String?
    @Option(help: "--executor slurm: nodes.") var nodes: Int?
    @Option(help: "--executor slurm: quality of service.") var qos: String?

    @Argument(parsing: .remaining, help: ArgumentHelp("The command: several words are quoted again for bash; one word is a bash line as it is.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. jobsched add -- make test") }
    }

    /// The /submit form. Paths are made absolute here: the job runs in this
    /// directory, not the server's, unless --cwd says otherwise.
    func form(sync: Bool) -> FormBody {
        let here = currentDirectory() ?? "."
        func absolute(_ path: String?) -> String? {
            path.map { $0.hasPrefix("/") ? $0 : here + "/" + $0 }
        }
        var form = FormBody()
        form.add("command", ShellWords.commandLine(command))
        form.add("sync", sync ? "1" : "0")
        form.add("name", name)
        form.add("group", group)
        form.add("priority", priority.map(String.init))
        form.add("after", after)
        form.add("afterany", afterAny)
        form.add("delay", delay)
        form.add("at", at)
        form.add("timeout", timeout)
        form.add("retries", retries.map(String.init))
        form.add("retry_delay", retryDelay)
        form.add("unique", unique ? "1" : nil)
        for entry in environment { form.add("env", entry) }
        form.add("cwd", absolute(cwd ?? here))
        form.add("outlog", absolute(outlog))
        form.add("errlog", absolute(errlog))
        form.add("partition", partition)
        form.add("cpus", cpus.map(String.init))
        form.add("mem", mem)
        form.add("gres", gres)
        form.add("nodes", nodes.map(String.init))
        form.add("qos", qos)
        return form
    }
}
