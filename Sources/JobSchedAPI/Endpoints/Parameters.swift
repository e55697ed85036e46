import JobSchedModel

/// A request's parameters, checked against its endpoint's spec.
///
/// The last value of a repeated parameter wins; a name the endpoint does not
/// know is an error, which catches typos such as `comand=`.
package struct Parameters {
    package let endpoint: Endpoint
    /// Every pair, in order: requests carry a handful, so a search from the
    /// end (the last value wins) costs less than hashing them into a table.
    private let pairs: [(String, String)]

    /// The names each endpoint knows, worked out once rather than per request.
    private static let knownNames: [Endpoint: [String]] =
        Dictionary(uniqueKeysWithValues: Endpoint.allCases.map { ($0, $0.parameters.map(\.name)) })

    package init(_ pairs: [(String, String)], for endpoint: Endpoint) throws(RequestError) {
        let known = Parameters.knownNames[endpoint] ?? []
        for (name, _) in pairs where !known.contains(name) {
            throw .badRequest("unknown parameter \(Excerpt.quoted(name)) for /\(endpoint.rawValue); see /help?topic=\(endpoint.rawValue)")
        }
        self.endpoint = endpoint
        self.pairs = pairs
    }

    private init(endpoint: Endpoint, pairs: [(String, String)]) {
        self.endpoint = endpoint
        self.pairs = pairs
    }

    /// The same parameters with `name` set to `value`.
    package func setting(_ name: String, to value: String) -> Parameters {
        Parameters(endpoint: endpoint, pairs: pairs.filter { $0.0 != name } + [(name, value)])
    }

    /// The value, or nil when absent or empty.
    package func string(_ name: String) -> String? {
        guard let value = pairs.last(where: { $0.0 == name })?.1, !value.isEmpty else { return nil }
        return value
    }

    /// Whether the request names the parameter at all, even empty (`notify=` takes a notify URL away).
    package func isGiven(_ name: String) -> Bool { pairs.contains { $0.0 == name } }

    package func required(_ name: String) throws(RequestError) -> String {
        guard let value = string(name) else { throw .badRequest("missing required parameter '\(name)'") }
        return value
    }

    /// A job's name or group, which holds no comma: `/jobinfo` takes comma-separated lists of them.
    package func label(_ name: String) throws(RequestError) -> String? {
        guard let value = string(name) else { return nil }
        guard !value.utf8.contains(UInt8(ascii: ",")) else {
            throw .badRequest("\(name) must not contain a comma (filters take comma-separated lists of them): \(Excerpt.quoted(value))")
        }
        return value
    }

    /// `0` or `1`.
    package func flag(_ name: String, default defaultValue: Bool) throws(RequestError) -> Bool {
        switch string(name) {
        case nil: return defaultValue
        case "0": return false
        case "1": return true
        case let other?: throw .badRequest("\(name) must be 0 or 1, not \(Excerpt.quoted(other))")
        }
    }

    /// Every non-empty value given for a repeatable parameter.
    package func repeated(_ name: String) -> [String] { pairs.filter { $0.0 == name && !$0.1.isEmpty }.map(\.1) }

    package func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(RequestError) -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw .badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not \(Excerpt.quoted(text))")
        }
        return value
    }

    /// A comma-separated list; empty items are skipped.
    package func list(_ name: String) -> [String] {
        (string(name) ?? "").split(separator: ",").map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
    }

    /// The most job ids one request may list: as many as one batch submits.
    package static let maxJobIDs = CommandLines.maxCount

    package func jobIDs(_ name: String) throws(RequestError) -> [JobID] {
        // Counted before anything is made of them: millions would hold the server for seconds.
        if let value = string(name) {
            let items = value.utf8.reduce(1) { $1 == UInt8(ascii: ",") ? $0 + 1 : $0 }
            guard items <= Parameters.maxJobIDs else {
                throw RequestError(status: 413, message: "\(name) lists \(items) job ids; one request takes at most "
                                   + "\(Parameters.maxJobIDs): split the list, or name the jobs by group=")
            }
        }
        var ids: [JobID] = []
        for item in list(name) {
            guard let id = JobID(item), id > 0 else { throw .badRequest("invalid job id \(Excerpt.quoted(item)) in \(name)") }
            ids.append(id)
        }
        return ids
    }

    package func requiredJobIDs(_ name: String) throws(RequestError) -> [JobID] {
        let ids = try jobIDs(name)
        guard !ids.isEmpty else { throw .badRequest("missing required parameter '\(name)'") }
        return ids
    }

    /// A duration in seconds: `90`, `90s`, `10m`, `1h30m`, `2d` (see `DurationText`).
    package func seconds(_ name: String) throws(RequestError) -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = DurationText.seconds(text) else {
            throw .badRequest("\(name) must be a duration such as \(DurationText.examples), not \(Excerpt.quoted(text))")
        }
        return value
    }

    /// An ISO-8601 time, as seconds since the epoch.
    package func time(_ name: String) throws(RequestError) -> Double? {
        guard let text = string(name) else { return nil }
        guard let time = Timestamp.parseISO8601(text) else {
            throw .badRequest("\(name) must be an ISO-8601 time such as 2026-11-29T18:00:00Z, not \(Excerpt.quoted(text))")
        }
        return time
    }

    /// An ISO-8601 time, or `+DURATION` from now (`at=+10m`).
    package func startTime(_ name: String) throws(RequestError) -> StartTime? {
        guard let text = string(name) else { return nil }
        if text.hasPrefix("+"), let seconds = DurationText.seconds(String(text.dropFirst())) { return .fromNow(seconds) }
        guard let time = Timestamp.parseISO8601(text) else {
            throw .badRequest("\(name) must be an ISO-8601 time such as 2026-11-29T18:00:00Z, or +DURATION such as +10m, not \(Excerpt.quoted(text))")
        }
        return .at(time)
    }

    package var format: OutputFormat {
        get throws(RequestError) {
            switch string("format") {
            case nil, "text": return .text
            case "json": return .json
            case let other?: throw .badRequest("format must be 'text' or 'json', not \(Excerpt.quoted(other))")
            }
        }
    }
}

/// When a job may start: a time, or a while from now (the request is parsed without a clock).
package enum StartTime: Equatable {
    case at(Double)
    case fromNow(Double)
}

package enum OutputFormat: Equatable {
    case text, json
}
