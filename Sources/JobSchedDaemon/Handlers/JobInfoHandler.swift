import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// A listing in id order (the default) is read and sent a page at a time,
    /// however many jobs it holds; one in another order is made at once.
    package func jobInfo(_ r: JobInfoRequest, _ request: HTTPRequest) throws(RequestError) {
        guard let pages = ListingPages(r.filter) else { return try jobInfoAtOnce(r, request) }
        let layout: ListingText.Layout = switch (r.format, r.view) {
        case (.json, _): .json(isUnsaved: { [store] in store.isUnsaved($0) })
        case (.text, .table?): .table(colored: r.isColored)
        case (.text, .record?): .records(colored: r.isColored)
        case (.text, nil): .columns
        }
        var listing = JobListing(pages: pages, text: ListingText(layout, fields: fields(of: r)))
        let first: SlicedReply.Slice
        do {
            first = try listing.nextSlice(from: store)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        SlicedReply.send(request, contentType: contentType(of: r.format), first: first) { [unowned self] () -> SlicedReply.Slice in
            do throws(SQLiteError) {
                return try listing.nextSlice(from: store)
            } catch {
                logger.error("listing jobs: \(error.message); the reply was cut short")
                return .broken
            }
        }
    }

    private func jobInfoAtOnce(_ r: JobInfoRequest, _ request: HTTPRequest) throws(RequestError) {
        let jobs: [Job]
        do {
            jobs = try store.jobs(matching: r.filter)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        let now = Clock.now()
        let fields = fields(of: r)
        respond(request, format: r.format,
                text: {
                    switch r.view {
                    case .table?: JobTable.render(jobs, fields: fields, now: now, colored: r.isColored)
                    case .record?: JobTable.records(jobs, fields: fields, now: now, colored: r.isColored)
                    case nil: TextTable.jobs(jobs, fields: fields, now: now)
                    }
                },
                json: { .object([("jobs", .array(jobs.map { JobJSON.object($0, fields: fields, now: now, unsaved: store.isUnsaved($0.id)) }))]) })
    }

    private func fields(of r: JobInfoRequest) -> [JobField] {
        if let fields = r.fields { return fields }
        switch (r.format, r.view) {
        case (.json, _): return JobField.allCases
        case (.text, .table?): return JobTable.defaultFields
        case (.text, .record?): return JobField.allCases
        case (.text, nil): return JobField.defaultFields
        }
    }
}

/// One `/jobinfo` reply in the making: the pages still to read, and the text made of them.
private struct JobListing {
    var pages: ListingPages
    var text: ListingText
    private var started = false
    /// A slice is about this many bytes: more waits for the client to take it.
    static let sliceBytes = 64 * 1024
    /// Jobs asked for at once; fewer if they are large.
    static let pageSize = 256
    /// Pages read for one slice at most, however few of their jobs match.
    static let pagesPerSlice = 16

    init(pages: ListingPages, text: ListingText) {
        (self.pages, self.text) = (pages, text)
    }

    mutating func nextSlice(from store: JobStore) throws(SQLiteError) -> SlicedReply.Slice {
        var out = started ? "" : text.start
        started = true
        let now = Clock.now()
        var pagesRead = 0
        while !pages.isDone, out.utf8.count < JobListing.sliceBytes, pagesRead < JobListing.pagesPerSlice {
            var jobs: [Job] = []
            var bytes = out.utf8.count
            let page = pages.nextPage(size: JobListing.pageSize)
            let (count, exhausted) = try store.forEachJob(onPage: page) { job in
                jobs.append(job)
                bytes += job.estimatedTextBytes
                return bytes < JobListing.sliceBytes
            }
            pages.read(count: count, lastID: jobs.last?.id, exhausted: exhausted)
            out += text.page(jobs, now: now)
            pagesRead += 1
        }
        return pages.isDone ? .last(out + text.end) : .more(out)
    }
}
