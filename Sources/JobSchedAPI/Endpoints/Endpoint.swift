import JobSchedModel

/// One parameter an endpoint accepts, as `/help?topic=CMD` shows it.
package struct ParameterSpec: Sendable {
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

    /// The same parameter as an edit takes it: optional, and left out means unchanged.
    package var asChange: ParameterSpec { .optional(name, summary) }
}

/// The endpoints of the HTTP API (the "commands" of `/help` and the original
/// README): the path is `/` + the raw value.
package enum Endpoint: String, CaseIterable {
    case help, submit, jobinfo, output, kill, edit, wait, remove, clean, restart, group, pause, resume, events, overview
    case metrics, health, shutdown

    package var summary: String {
        switch self {
        case .help: return "list the commands, or describe one with topic=COMMAND"
        case .submit: return "run a bash command as a job; prints the job id first"
        case .jobinfo: return "show jobs (running and queued ones unless filtered)"
        case .output: return "a job's output so far (kept unless it went to outlog/errlog); follow=1 streams it live"
        case .kill: return "cancel queued or running jobs"
        case .edit: return "change a queued job (command, name, group, priority, start time, timeout, retries)"
        case .wait: return "wait until jobs have finished, then show their status"
        case .remove: return "delete finished jobs and their kept output"
        case .clean: return "delete finished jobs by status and age, with their kept output"
        case .restart: return "submit a finished job's command again, as a new async job"
        case .group: return "set a group's own limit of running jobs, or list the groups"
        case .pause: return "start no new jobs in a group (or in all groups); running ones go on"
        case .resume: return "start jobs again in a paused group (or in all groups)"
        case .events: return "stream every change as it happens (Server-Sent Events); resumes from Last-Event-ID"
        case .overview: return "counts by status, the groups, and the last hour minute by minute (for the dashboard)"
        case .metrics: return "counters and gauges in the Prometheus text format"
        case .shutdown: return "kill every job and stop the server"
        case .health: return "answer 'ok' while the server is up, for monitors"
        }
    }

    /// `format=` of the endpoints that have no other parameter.
    package static let format: Parameter<OutputFormat> = .format()

    /// What `/help?topic=` lists, from the requests' declarations.
    package var parameters: [ParameterSpec] {
        switch self {
        case .help: return HelpRequest.parameters
        case .submit: return SubmitRequest.parameters
        case .jobinfo: return JobInfoRequest.parameters
        case .output: return OutputRequest.parameters
        case .kill, .remove: return JobListRequest.parameters
        case .edit: return EditRequest.parameters
        case .restart: return JobListRequest.restartParameters
        case .wait: return WaitRequest.parameters
        case .clean: return CleanRequest.parameters
        case .group: return GroupRequest.parameters
        case .pause, .resume: return PauseRequest.parameters
        case .events: return EventsRequest.parameters
        case .shutdown, .health, .overview: return [Endpoint.format.spec]
        case .metrics: return []
        }
    }
}
