import JobSchedModel

/// A request's endpoint with its parameters parsed and checked: everything
/// that can be said about a request without touching the server, so the
/// fuzz target runs exactly the parsing the server does.
package enum EndpointRequest {
    case help(HelpRequest)
    case submit(SubmitRequest)
    case batchSubmit(BatchSubmitRequest)
    case jobinfo(JobInfoRequest)
    case output(OutputRequest)
    case kill(JobListRequest)
    case edit(EditRequest)
    case wait(WaitRequest)
    case remove(JobListRequest)
    case clean(CleanRequest)
    case restart(JobListRequest)
    case group(GroupRequest)
    case pause(PauseRequest)
    case resume(PauseRequest)
    case events(EventsRequest)
    case overview(OutputFormat)
    case metrics
    case health(OutputFormat)
    case shutdown(OutputFormat)

    package init(_ endpoint: Endpoint, _ pairs: [(String, String)], body: [UInt8]) throws(RequestError) {
        let p = try Parameters(pairs, for: endpoint)
        switch endpoint {
        case .help: self = .help(try HelpRequest(p))
        case .submit where try SubmitRequest.Declared.lines.value(in: p): self = .batchSubmit(try BatchSubmitRequest(p, body: body))
        case .submit: self = .submit(try SubmitRequest(p))
        case .jobinfo: self = .jobinfo(try JobInfoRequest(p))
        case .output: self = .output(try OutputRequest(p))
        case .kill: self = .kill(try JobListRequest(p))
        case .edit: self = .edit(try EditRequest(p))
        case .wait: self = .wait(try WaitRequest(p))
        case .remove: self = .remove(try JobListRequest(p))
        case .clean: self = .clean(try CleanRequest(p))
        case .restart: self = .restart(try JobListRequest(p))
        case .group: self = .group(try GroupRequest(p))
        case .pause: self = .pause(try PauseRequest(p))
        case .resume: self = .resume(try PauseRequest(p))
        case .events: self = .events(try EventsRequest(p))
        case .metrics: self = .metrics
        case .health: self = .health(try Endpoint.format.value(in: p))
        case .overview: self = .overview(try Endpoint.format.value(in: p))
        case .shutdown: self = .shutdown(try Endpoint.format.value(in: p))
        }
    }
}
