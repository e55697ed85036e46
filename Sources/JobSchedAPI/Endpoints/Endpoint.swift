import JobSchedModel

/// One parameter an endpoint accepts, as `/help?topic=CMD` shows it.
package struct ParameterSpec {
    package let name: String
    package let required: Bool
    package let defaultValue: String?
    package let summary: String

    package static func required(_ name: String, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, required: true, defaultValue: nil, summary: summary)
    }

    package static func optional(_ name: String, default value: String? = nil, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, required: false, defaultValue: value, summary: summary)
    }
}

/// The endpoints of the HTTP API (the "commands" of `/help` and the original
/// README): the path is `/` + the raw value.
package enum Endpoint: String, CaseIterable {
    case help, submit, jobinfo, output, kill, wait, remove, clean, restart, group, pause, resume, metrics, health, shutdown

    package var summary: String {
        switch self {
        case .help: return "list the commands, or describe one with topic=COMMAND"
        case .submit: return "run a bash command as a job; prints the job id first"
        case .jobinfo: return "show jobs (running and queued ones unless filtered)"
        case .output: return "a job's output so far (kept unless it went to outlog/errlog); follow=1 streams it live"
        case .kill: return "cancel queued or running jobs"
        case .wait: return "wait until jobs have finished, then show their status"
        case .remove: return "delete finished jobs and their kept output"
        case .clean: return "delete finished jobs by status and age, with their kept output"
        case .restart: return "submit a finished job's command again, as a new async job"
        case .group: return "set a group's own limit of running jobs, or list the groups"
        case .pause: return "start no new jobs in a group (or in all groups); running ones go on"
        case .resume: return "start jobs again in a paused group (or in all groups)"
        case .metrics: return "counters and gauges in the Prometheus text format"
        case .shutdown: return "kill every job and stop the server"
        case .health: return "answer 'ok' while the server is up, for monitors"
        }
    }

    private static let format = ParameterSpec.optional("format", default: "text", "reply as 'text' or 'json'")

    package var parameters: [ParameterSpec] {
        switch self {
        case .help:
            return [.optional("topic", "a command to describe"), Endpoint.format]
        case .submit:
            return [
                .required("command", "bash command line, run as: bash -c COMMAND"),
                .optional("name", default: "job", "job name, to find it with jobinfo"),
                .optional("group", default: "default", "group name, to find it with jobinfo"),
                .optional("sync", default: "1", "1: the reply streams the job's output and ends when the job does; 0: reply with the id at once"),
                .optional("outlog", "file for the job's stdout (truncated at start; relative to the server's directory)"),
                .optional("errlog", "file for the job's stderr (truncated at start; relative to the server's directory)"),
                .optional("priority", default: "0", "higher runs first; first come, first served within a priority"),
                .optional("after", "comma-separated job ids that must succeed (returncode 0) first; if one does not, this job is killed"),
                .optional("afterany", "comma-separated job ids that must end first, however they end"),
                .optional("delay", "seconds to wait before the job may start"),
                .optional("at", "ISO-8601 time before which the job does not start, e.g. 2026-11-29T18:00:00Z"),
                .optional("timeout", "seconds a run may take; then it is killed (SIGTERM, then SIGKILL)"),
                .optional("retries", default: "0", "runs again up to N times while it ends with a non-zero code"),
                .optional("retry_delay", default: "0", "seconds between a failed run and the next"),
                .optional("cwd", "working directory (default: the server's)"),
                .optional("env", "NAME=VALUE added to the environment; repeat for more"),
                .optional("unique", default: "0", "1: if a queued or running job has the same name and group, return its id instead"),
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
                          "comma-separated columns (JSON: every one by default): " + JobField.allCases.map(\.rawValue).joined(separator: ",")),
                .optional("sort", default: "jobid", "column to sort by (" + JobField.sortable.map(\.rawValue).joined(separator: ",") + "); prefix - for descending"),
                .optional("limit", "show at most this many jobs"),
                Endpoint.format,
            ]
        case .output:
            return [
                .required("jobid", "the job"),
                .optional("follow", default: "0", "1: keep streaming new output until the job ends, like tail -f"),
                .optional("stream", default: "both", "both, stdout or stderr"),
                .optional("format", default: "text", "only text: the reply is the output itself"),
            ]
        case .kill:
            return [.required("jobid", "comma-separated job ids"), Endpoint.format]
        case .wait:
            return [
                .required("jobid", "comma-separated job ids (or give group)"),
                .optional("group", "also wait for every job queued or running in this group now"),
                .optional("timeout", "seconds to wait at most; unfinished jobs are then shown as they are"),
                .optional("fail", default: "0", "1: answer 409 instead of 200 unless every job succeeded (for curl -f)"),
                Endpoint.format,
            ]
        case .remove:
            return [.required("jobid", "comma-separated job ids"), Endpoint.format]
        case .clean:
            return [
                .optional("status", default: "success,killed,failed", "comma-separated finished statuses"),
                .optional("before", "only jobs that finished before this ISO-8601 time"),
                Endpoint.format,
            ]
        case .restart:
            return [.required("jobid", "the finished job to run again"), Endpoint.format]
        case .group:
            return [
                .optional("name", "the group to set; without it, list every group"),
                .optional("limit", "most jobs running at once in the group; 0 or none removes the group's own limit"),
                Endpoint.format,
            ]
        case .pause, .resume:
            return [.optional("group", "the group; without it, every group"), Endpoint.format]
        case .shutdown, .health:
            return [Endpoint.format]
        case .metrics:
            return []
        }
    }
}
