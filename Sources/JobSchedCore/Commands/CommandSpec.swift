/// One parameter a command accepts, as `/help?topic=CMD` shows it.
struct ParameterSpec {
    let name: String
    let required: Bool
    let defaultValue: String?
    let summary: String

    static func required(_ name: String, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, required: true, defaultValue: nil, summary: summary)
    }

    static func optional(_ name: String, default value: String? = nil, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, required: false, defaultValue: value, summary: summary)
    }
}

/// The commands of the HTTP API: the path is `/` + the raw value.
enum Command: String, CaseIterable {
    case help, submit, jobinfo, kill, wait, shutdown, health

    var summary: String {
        switch self {
        case .help: return "list the commands, or describe one with topic=COMMAND"
        case .submit: return "run a bash command as a job; prints the job id first"
        case .jobinfo: return "show jobs (running and queued ones unless filtered)"
        case .kill: return "cancel queued or running jobs"
        case .wait: return "wait until jobs have finished, then show their status"
        case .shutdown: return "kill every job and stop the server"
        case .health: return "answer 'ok' while the server is up, for monitors"
        }
    }

    private static let format = ParameterSpec.optional("format", default: "text", "reply as 'text' or 'json'")

    var parameters: [ParameterSpec] {
        switch self {
        case .help:
            return [.optional("topic", "a command to describe"), Command.format]
        case .submit:
            return [
                .required("command", "bash command line, run as: bash -c COMMAND"),
                .optional("name", default: "job", "job name, to find it with jobinfo"),
                .optional("group", default: "default", "group name, to find it with jobinfo"),
                .optional("sync", default: "1", "1: the reply streams the job's output and ends when the job does; 0: reply with the id at once"),
                .optional("outlog", "file for the job's stdout (truncated at start; relative to the server's directory)"),
                .optional("errlog", "file for the job's stderr (truncated at start; relative to the server's directory)"),
                ParameterSpec.optional("format", default: "text", "reply as 'text' or 'json' (sync=0 only)"),
                .optional("lines", default: "0", "1 (in the query string, with sync=0): the body holds one command per line; the other parameters apply to each"),
            ]
        case .jobinfo:
            return [
                .optional("jobid", "comma-separated job ids"),
                .optional("name", "comma-separated job names"),
                .optional("job", "same as name"),
                .optional("group", "comma-separated group names"),
                .optional("status", "comma-separated statuses: " + JobStatus.allCases.map(\.rawValue).joined(separator: ",")),
                .optional("all", default: "0", "1: every job, whatever its status"),
                .optional("fields", default: JobField.defaultFields.map(\.rawValue).joined(separator: ","),
                          "comma-separated columns: " + JobField.allCases.map(\.rawValue).joined(separator: ",")),
                Command.format,
            ]
        case .kill:
            return [.required("jobid", "comma-separated job ids"), Command.format]
        case .wait:
            return [
                .required("jobid", "comma-separated job ids"),
                .optional("timeout", "seconds to wait at most; unfinished jobs are then shown as they are"),
                Command.format,
            ]
        case .shutdown, .health:
            return [Command.format]
        }
    }
}
