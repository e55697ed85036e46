import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// From an HTTP request to the handler of its endpoint: checks in order, then
/// dispatch; access (AccessCheck), decoding (RequestDecoding) and error replies
/// (Replies) each live in their own file.
extension RequestHandlers {
    package func handle(_ request: HTTPRequest) {
        var pairs: [(String, String)] = []
        let name = request.path.hasPrefix("/") ? String(request.path.dropFirst()) : request.path
        let dashboardFile = DashboardFile(path: request.path)
        let label = Endpoint(rawValue: name)?.rawValue ?? (dashboardFile == nil ? "unknown" : "ui")
        request.onStatus = { [unowned self] status in self.metrics.requestHandled(command: label, status: status) }
        do {
            // First: the bytes after a badly framed request must never be taken for another.
            if let problem = request.framingProblem { throw problem }
            if let dashboardFile { return try dashboard(dashboardFile, request) }
            let caller = try checkAccess(request)
            guard !runner.isShuttingDown else { throw RequestError(status: 503, message: "server is shutting down") }
            guard request.method != .other else {
                throw RequestError(status: 405, message: "use GET or POST")
            }
            guard !request.path.utf8.contains(0) else { throw RequestError.badRequest("the path must not contain NUL bytes") }
            guard let endpoint = Endpoint(rawValue: name) else {
                throw RequestError(status: 404, message: "unknown command \(Excerpt.quoted(request.path)); see /help for the list")
            }
            try authorize(caller, for: endpoint)
            pairs = try RequestHandlers.parameterPairs(of: request)
            let parsed = try EndpointRequest(endpoint, pairs, body: request.body)
            // Every change, shutdown and group settings included, names who asked.
            if endpoint.makesChanges { audit(endpoint, pairs, by: caller) }
            switch parsed {
            case .help(let r): try help(r, request)
            case .submit(let r): try submit(r, request, by: caller)
            case .batchSubmit(let r): try batchSubmit(r, request, by: caller)
            case .jobinfo(let r): try jobInfo(r, request)
            case .output(let r): try output(r, request)
            case .kill(let r):
                try checkOwnership(caller, of: r.ids, for: endpoint)
                try kill(r, request)
            case .edit(let r):
                try checkOwnership(caller, of: [r.id], for: endpoint)
                try edit(r, request)
            case .wait(let r): try wait(r, request)
            case .remove(let r):
                try checkOwnership(caller, of: r.ids, for: endpoint)
                try remove(r, request)
            case .clean(let r): try clean(r, request)
            case .restart(let r):
                try checkOwnership(caller, of: r.ids, for: endpoint)
                try restart(r, request, by: caller)
            case .group(let r): try group(r, request)
            case .pause(let r): try setPaused(true, r, request)
            case .resume(let r): try setPaused(false, r, request)
            case .events(let r): try events(r, request)
            case .overview(let format): overview(format: format, request, by: caller)
            case .metrics: metrics(request)
            case .health(let format): health(format: format, request)
            case .shutdown(let format): shutdown(format: format, request)
            }
        } catch let error as RequestError {
            // Errors answer in JSON when JSON was asked for, even if parsing failed later on
            // or never started (an unknown path, a refused request).
            if pairs.isEmpty { pairs = (try? RequestHandlers.parameterPairs(of: request)) ?? [] }
            let format: OutputFormat = pairs.last(where: { $0.0 == "format" })?.1 == "json" ? .json : .text
            respond(request, error: error, format: format)
        } catch {
            respond(request, error: RequestError(status: 500, message: "\(error)"), format: .text)
        }
    }

    /// The log's audit trail: who asked for each change (never the token itself).
    private func audit(_ endpoint: Endpoint, _ pairs: [(String, String)], by caller: NamedToken?) {
        guard let caller else { return }
        let asked = pairs.filter { $0.0 != "format" }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        logger.info("\(RequestHandlers.describe(caller)): /\(endpoint.rawValue) \(Excerpt.plain(asked, limit: 200))")
    }
}
