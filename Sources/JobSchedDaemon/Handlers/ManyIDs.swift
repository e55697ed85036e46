import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// Requests that name many jobs (`/kill`, `/remove`, `/wait` of up to 100,000
/// ids) read, change and answer them a step of ids at a time: one step holds
/// the loop about a millisecond, the next comes in the server's turns
/// (`Turns`), and the reply is made a slice at a time as the client reads it.
extension RequestHandlers {
    /// The most ids one step reads or acts on.
    package static let idsPerStep = 256

    /// Calls `step` on `items` a chunk of `idsPerStep` at a time, the first at
    /// once and the rest in coming turns, then `done`, given the error that
    /// stopped it if one did. A list of one chunk is done before this returns.
    package func inSteps<Item>(_ items: [Item], _ step: @escaping (ArraySlice<Item>) throws(RequestError) -> Void,
                               then done: @escaping (RequestError?) -> Void) {
        var start = 0
        func next() -> Bool {
            let end = min(items.count, start + RequestHandlers.idsPerStep)
            do {
                try step(items[start..<end])
            } catch {
                done(error)
                return false
            }
            start = end
            guard start < items.count else {
                done(nil)
                return false
            }
            return true
        }
        if next() { turns.add(next) }
    }

    /// Finds, in steps, the ids among `ids` of no job, active or finished,
    /// and calls `then` with a 404 naming them (nil when every job exists).
    package func checkExisting(_ ids: [JobID], then: @escaping (RequestError?) -> Void) {
        var unknown: [JobID] = []
        inSteps(ids, { [unowned self] (chunk) throws(RequestError) in
            unknown += try unknownJobs(Array(chunk))
        }, then: { error in
            if let error { return then(error) }
            then(unknown.isEmpty ? nil : RequestError(status: 404, message: RequestHandlers.unknownJobsMessage(unknown)))
        })
    }

    /// Replies with one entry per item, as lines of text or as the JSON
    /// object `{"KEY": [...]}`, making the entries of `idsPerStep` items a
    /// slice at a time as the client reads them.
    package func respondInSlices<Item, Entry>(
        _ request: HTTPRequest, status: Int32 = 200, format: OutputFormat, key: String, items: [Item],
        entries: @escaping (ArraySlice<Item>) throws(SQLiteError) -> [Entry],
        text: @escaping (Entry) -> String, json: @escaping (Entry) -> JSON
    ) {
        var start = 0
        var written = 0
        func nextSlice() -> SlicedReply.Slice {
            var out = ""
            if start == 0, format == .json { out = "{" + JSON.string(key).serialized() + ": [" }
            let end = min(items.count, start + RequestHandlers.idsPerStep)
            let made: [Entry]
            do {
                made = try entries(items[start..<end])
            } catch {
                logger.error("reading jobs: \(error.message); the reply was cut short")
                return .broken
            }
            for entry in made {
                switch format {
                case .text: out += text(entry)
                case .json: out += (written == 0 ? "" : ", ") + json(entry).serialized()
                }
                written += 1
            }
            start = end
            guard start >= items.count else { return .more(out) }
            return .last(format == .json ? out + "]}\n" : out)
        }
        SlicedReply.send(request, status: status, contentType: contentType(of: format), first: nextSlice(), then: nextSlice)
    }
}
