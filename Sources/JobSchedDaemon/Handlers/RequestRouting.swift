import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// From an HTTP request to the handler of its endpoint.
extension RequestHandlers {
    package func handle(_ request: HTTPRequest) {
        var pairs: [(String, String)] = []
        let name = request.path.hasPrefix("/") ? String(request.path.dropFirst()) : request.path
        let label = Endpoint(rawValue: name)?.rawValue ?? "unknown"
        request.onStatus = { [unowned self] status in self.metrics.requestHandled(command: label, status: status) }
        do {
            // First: the bytes after a badly framed request must never be taken for another.
            if let problem = request.framingProblem { throw problem }
            try checkAccess(request)
            guard !runner.isShuttingDown else { throw RequestError(status: 503, message: "server is shutting down") }
            guard request.method != .other else {
                throw RequestError(status: 405, message: "use GET or POST")
            }
            guard !request.path.utf8.contains(0) else { throw RequestError.badRequest("the path must not contain NUL bytes") }
            guard let endpoint = Endpoint(rawValue: name) else {
                throw RequestError(status: 404, message: "unknown command \(Excerpt.quoted(request.path)); see /help for the list")
            }
            pairs = try RequestHandlers.parameterPairs(of: request)
            switch try EndpointRequest(endpoint, pairs, body: request.body) {
            case .help(let r): try help(r, request)
            case .submit(let r): try submit(r, request)
            case .batchSubmit(let r): try batchSubmit(r, request)
            case .jobinfo(let r): try jobInfo(r, request)
            case .output(let r): try output(r, request)
            case .kill(let r): try kill(r, request)
            case .wait(let r): try wait(r, request)
            case .remove(let r): try remove(r, request)
            case .clean(let r): try clean(r, request)
            case .restart(let r): try restart(r, request)
            case .group(let r): try group(r, request)
            case .pause(let r): try setPaused(true, r, request)
            case .resume(let r): try setPaused(false, r, request)
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

    private func checkAccess(_ request: HTTPRequest) throws(RequestError) {
        switch access.decide(authorization: request.header("Authorization"), origin: request.header("Origin"),
                             host: request.host, fetchSite: request.header("Sec-Fetch-Site")) {
        case .allow: return
        case .forbidden(let reason): throw RequestError(status: 403, message: reason)
        case .unauthorized: throw RequestError(status: 401, message: "missing or wrong token; send 'Authorization: Bearer TOKEN'")
        }
    }

    /// Query-string parameters, then body parameters: for a repeated name the last wins, so the body does.
    /// With `lines=1` in the query string the body is a batch of commands, not a form.
    package static func parameterPairs(of request: HTTPRequest) throws(RequestError) -> [(String, String)] {
        var pairs = try request.query.map { q throws(RequestError) in try FormDecoding.decodeURLEncoded(q.utf8) } ?? []
        let bodyIsLines = pairs.last(where: { $0.0 == "lines" })?.1 == "1"
        guard request.method == .post, !request.body.isEmpty, !bodyIsLines else { return pairs }
        let contentType = request.header("Content-Type") ?? "application/x-www-form-urlencoded"
        // The common case first: parsing the content type as multipart showed in profiles of /submit.
        if FormDecoding.isURLEncoded(contentType: contentType) {
            pairs += try FormDecoding.decodeURLEncoded(request.body)
        } else if let boundary = FormDecoding.multipartBoundary(contentType: contentType) {
            pairs += try FormDecoding.decodeMultipart(request.body, boundary: boundary)
        } else {
            throw RequestError(status: 415, message: "unsupported Content-Type \(Excerpt.quoted(contentType)); send a form (curl --data or -F)")
        }
        if pairs.last(where: { $0.0 == "lines" })?.1 == "1" {
            throw RequestError.badRequest("lines= goes in the query string: with lines=1 the body holds the commands")
        }
        return pairs
    }

    package func respond(_ request: HTTPRequest, error: RequestError, format: OutputFormat) {
        switch format {
        case .text: request.respond(status: error.status, body: "Error: \(error.message)\n")
        case .json: request.respond(status: error.status, body: JSON.object([("error", .string(error.message))]).serialized() + "\n",
                                    contentType: "application/json")
        }
    }

    package func respond(_ request: HTTPRequest, status: Int32 = 200, format: OutputFormat, text: () -> String, json: () -> JSON) {
        switch format {
        case .text: request.respond(status: status, body: text())
        case .json: request.respond(status: status, body: json().serialized() + "\n", contentType: "application/json")
        }
    }
}
