import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// A listing is read and sent a slice at a time as the client reads it,
    /// however many jobs it holds: in id order (the default) a page of ids at
    /// a time, in another order in passes (`SortedListing`).
    /// Ids named that are no job's make it a 404 naming them, as on every
    /// endpoint; the jobs of the other ids are still listed before that line
    /// (ids are a filter, and the original's `jobid=123,124,135` shows those that exist).
    package func jobInfo(_ r: JobInfoRequest, _ request: HTTPRequest) throws(RequestError) {
        checkExisting(r.filter.ids) { [unowned self] error in
            if let error, error.status != 404 { return respond(request, error: error, format: r.format) }
            do throws(RequestError) {
                try list(r, request, unknownIDs: error)
            } catch {
                respond(request, error: error, format: r.format)
            }
        }
    }

    private func list(_ r: JobInfoRequest, _ request: HTTPRequest, unknownIDs: RequestError?) throws(RequestError) {
        let layout: ListingText.Layout = switch (r.format, r.view) {
        case (.json, _): .json(isUnsaved: { [store] in store.isUnsaved($0) })
        case (.text, .table?): .table(colored: r.isColored, width: r.width)
        case (.text, .record?): .records(colored: r.isColored)
        case (.text, nil): .columns
        }
        let order: JobListing.Order = ListingPages(r.filter).map { .id($0) } ?? .sorted(SortedListing(r.filter))
        let fields = fields(of: r)
        var text = ListingText(layout, fields: fields)
        text.error = unknownIDs?.message
        // The runner knows which jobs wait for resources: kept as the listing reads.
        let keeps: ((JobID) -> Bool)? = r.filter.waitingForResources ? { [unowned self] in runner.resourceShortfall(of: $0) != nil } : nil
        var listing = JobListing(order: order, text: text, withEnvironment: fields.contains(.environment), keeps: keeps,
                                 described: { [unowned self] in self.withWaitingReason($0) })
        let first: SlicedReply.Slice
        do {
            first = try listing.nextSlice(from: store)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        SlicedReply.send(request, status: unknownIDs?.status ?? 200, contentType: contentType(of: r.format), first: first) { [unowned self] () -> SlicedReply.Slice in
            do throws(SQLiteError) {
                return try listing.nextSlice(from: store)
            } catch {
                logger.error("listing jobs: \(error.message); the reply was cut short")
                return .broken
            }
        }
    }

    /// A queued job that is next in line but for what it asks says what it
    /// waits for in its `msg` (which a queued job otherwise leaves empty).
    private func withWaitingReason(_ job: Job) -> Job {
        guard job.status == .queued, job.msg.isEmpty, let reason = runner.resourceShortfall(of: job.id) else { return job }
        var described = job
        described.msg = reason
        return described
    }

    private func fields(of r: JobInfoRequest) -> [JobField] {
        if let fields = r.fields { return fields }
        switch (r.format, r.view) {
        case (.json, _): return JobField.everyListedField
        case (.text, .table?): return JobTable.defaultFields(counting: runner.scheduler.pool?.usage.map(\.name) ?? [])
        case (.text, .record?): return JobField.everyListedField
        case (.text, nil): return JobField.defaultFields
        }
    }
}

/// One `/jobinfo` reply in the making: the jobs still to read, and the text made of them.
private struct JobListing {
    enum Order {
        case id(ListingPages)
        case sorted(SortedListing)
    }

    var order: Order
    var text: ListingText
    /// Whether the jobs' environment entries are read too (`fields=environment`).
    let withEnvironment: Bool
    /// Which of the jobs the store gives are listed (nil: all), for what only memory knows (`waiting=resources`).
    let keeps: ((JobID) -> Bool)?
    /// A job as it is shown, with what the store does not hold (`withWaitingReason`).
    let described: (Job) -> Job
    private var started = false
    /// A slice is about this many bytes: more waits for the client to take it.
    static let sliceBytes = 64 * 1024
    /// Jobs written at once (a table is aligned within them); fewer if they are large.
    static let pageSize = 256
    /// Pages read for one slice at most, however few of their jobs match.
    static let pagesPerSlice = 16
    /// A sorted listing's work for one slice (reading keys, sorting, reading jobs) stops after this long.
    static let sliceSeconds = 0.002

    init(order: Order, text: ListingText, withEnvironment: Bool, keeps: ((JobID) -> Bool)?, described: @escaping (Job) -> Job) {
        (self.order, self.text, self.withEnvironment, self.keeps, self.described) = (order, text, withEnvironment, keeps, described)
    }

    mutating func nextSlice(from store: JobStore) throws(SQLiteError) -> SlicedReply.Slice {
        var out = started ? "" : text.start
        started = true
        let isDone: Bool
        switch order {
        case .id(var pages):
            try slice(of: &pages, from: store, into: &out)
            (order, isDone) = (.id(pages), pages.isDone)
        case .sorted(var listing):
            try slice(of: &listing, from: store, into: &out)
            (order, isDone) = (.sorted(listing), listing.step == .done)
        }
        return isDone ? .last(out + text.end) : .more(out)
    }

    private mutating func slice(of pages: inout ListingPages, from store: JobStore, into out: inout String) throws(SQLiteError) {
        let now = Clock.now()
        var pagesRead = 0
        while !pages.isDone, out.utf8.count < Self.sliceBytes, pagesRead < Self.pagesPerSlice {
            var jobs: [Job] = []
            var bytes = out.utf8.count
            let page = pages.nextPage(size: Self.pageSize)
            let (count, exhausted) = try store.forEachJob(onPage: page, withEnvironment: withEnvironment) { job in
                jobs.append(job)
                bytes += job.estimatedTextBytes
                return bytes < Self.sliceBytes
            }
            let listed = keeps.map { keeps in jobs.filter { keeps($0.id) } } ?? jobs
            pages.read(count: keeps == nil ? count : listed.count, lastID: jobs.last?.id, exhausted: exhausted)
            out += text.page(listed.map(described), now: now)
            pagesRead += 1
        }
    }

    /// Keys read, sorted, and jobs listed until the slice's time or bytes are spent.
    private mutating func slice(of listing: inout SortedListing, from store: JobStore, into out: inout String) throws(SQLiteError) {
        let now = Clock.now()
        let deadline = now + Self.sliceSeconds
        while out.utf8.count < Self.sliceBytes, Clock.now() < deadline {
            switch listing.step {
            case .scan:
                let page = listing.scanPage(size: 2048)
                let (keys, exhausted) = try store.sortKeys(onPage: page, field: listing.field)
                listing.readKeys(keys, exhausted: exhausted, keeps: keeps ?? { _ in true })
            case .sort:
                listing.sortStep(count: 4096)
            case .list:
                var jobs: [Job] = []
                var bytes = out.utf8.count
                while listing.step == .list, jobs.count < Self.pageSize, bytes < Self.sliceBytes {
                    let read = try store.jobs(listing.nextIDs(count: 32), withEnvironment: withEnvironment)
                    bytes += read.reduce(0) { $0 + $1.estimatedTextBytes }
                    jobs += read
                }
                out += text.page(jobs.map(described), now: now)
            case .done:
                return
            }
        }
    }
}
