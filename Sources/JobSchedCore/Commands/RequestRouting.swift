/// From an HTTP request to the handler of its command.
extension JobSchedServer {
    func handle(_ request: HTTPRequest) {
        var pairs: [(String, String)] = []
        let name = request.path.hasPrefix("/") ? String(request.path.dropFirst()) : request.path
        let label = Command(rawValue: name)?.rawValue ?? "unknown"
        request.onStatus = { [unowned self] status in self.metrics.requestHandled(command: label, status: status) }
        do {
            guard !isShuttingDown else { throw RequestError(status: 503, message: "server is shutting down") }
            guard request.method != .other else {
                throw RequestError(status: 405, message: "use GET or POST")
            }
            guard let command = Command(rawValue: name) else {
                throw RequestError(status: 404, message: "unknown command '\(request.path)'; see /help for the list")
            }
            pairs = try JobSchedServer.parameterPairs(of: request)
            let parameters = try Parameters(pairs, for: command)
            switch command {
            case .help: try help(HelpRequest(parameters), request)
            case .submit where try parameters.flag("lines", default: false):
                try batchSubmit(BatchSubmitRequest(parameters, body: request.body), request)
            case .submit: try submit(SubmitRequest(parameters), request)
            case .jobinfo: try jobInfo(JobInfoRequest(parameters), request)
            case .output: try output(OutputRequest(parameters), request)
            case .kill: try kill(JobListRequest(parameters), request)
            case .remove: try remove(JobListRequest(parameters), request)
            case .clean: try clean(CleanRequest(parameters), request)
            case .restart: try restart(JobListRequest(parameters), request)
            case .wait: try wait(WaitRequest(parameters), request)
            case .group: try group(parameters, request)
            case .pause: try setPaused(true, parameters, request)
            case .resume: try setPaused(false, parameters, request)
            case .shutdown: try shutdown(format: parameters.format, request)
            case .metrics:
                metrics.exposition(activeJobs: activeJobs.values.lazy.map(\.job)).withUnsafeBytes {
                    request.respond(status: 200, bytes: $0, contentType: "text/plain; version=0.0.4; charset=utf-8")
                }
            case .health: health(format: try parameters.format, request)
            }
        } catch let error as RequestError {
            // Errors answer in JSON when JSON was asked for, even if parsing failed later on.
            let format: OutputFormat = pairs.last(where: { $0.0 == "format" })?.1 == "json" ? .json : .text
            respond(request, error: error, format: format)
        } catch {
            respond(request, error: RequestError(status: 500, message: "\(error)"), format: .text)
        }
    }

    /// Query-string parameters, then body parameters: for a repeated name the last wins, so the body does.
    /// With `lines=1` in the query string the body is a batch of commands, not a form.
    static func parameterPairs(of request: HTTPRequest) throws(RequestError) -> [(String, String)] {
        var pairs = try request.query.map { q throws(RequestError) in try FormDecoding.decodeURLEncoded(q.utf8) } ?? []
        let bodyIsLines = pairs.last(where: { $0.0 == "lines" })?.1 == "1"
        guard request.method == .post, !request.body.isEmpty, !bodyIsLines else { return pairs }
        let contentType = request.header("Content-Type") ?? "application/x-www-form-urlencoded"
        // The common case first: parsing the content type as multipart showed in profiles of /submit.
        if contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            pairs += try FormDecoding.decodeURLEncoded(request.body)
        } else if let boundary = FormDecoding.multipartBoundary(contentType: contentType) {
            pairs += try FormDecoding.decodeMultipart(request.body, boundary: boundary)
        } else {
            throw RequestError(status: 415, message: "unsupported Content-Type '\(contentType)'; send a form (curl --data or -F)")
        }
        if pairs.last(where: { $0.0 == "lines" })?.1 == "1" {
            throw RequestError.badRequest("lines= goes in the query string: with lines=1 the body holds the commands")
        }
        return pairs
    }

    func respond(_ request: HTTPRequest, error: RequestError, format: OutputFormat) {
        switch format {
        case .text: request.respond(status: error.status, body: "Error: \(error.message)\n")
        case .json: request.respond(status: error.status, body: JSON.object([("error", .string(error.message))]).serialized() + "\n",
                                    contentType: "application/json")
        }
    }

    func respond(_ request: HTTPRequest, status: Int32 = 200, format: OutputFormat, text: () -> String, json: () -> JSON) {
        switch format {
        case .text: request.respond(status: status, body: text())
        case .json: request.respond(status: status, body: json().serialized() + "\n", contentType: "application/json")
        }
    }

    static func databaseError(_ error: SQLiteError) -> RequestError {
        RequestError(status: 503, message: "database: \(error.message)")
    }
}
