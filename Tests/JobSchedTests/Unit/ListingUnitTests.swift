import Foundation
import Testing
@testable import JobSchedModel
@testable import JobSchedSystem

/// A listing read a page at a time (`ListingPages`, `JobStore.forEachJob`)
/// gives the jobs, in the order, that one query of the whole listing gives,
/// whatever the page size and wherever a reader stops a page early.
@Suite("Unit: listings read in pages, on a real SQLite file")
final class ListingUnitTests {
    private let scratch: ScratchDirectory
    private let store: JobStore

    init() throws {
        scratch = try ScratchDirectory()
        store = try JobStore(path: scratch.databasePath, clear: false)
        let statuses: [JobStatus] = [.queued, .running, .success, .failed, .killed]
        var jobs: [Job] = []
        for i in 0..<200 {
            var job = Job(name: "n\(i % 7)", group: ["a", "b", "default"][i % 3], command: "echo \(i)",
                          status: statuses[(i / 3) % statuses.count], sync: false, submitted: Double(i))
            if job.status.isFinished { job.returncode = Int32(i % 4) }
            jobs.append(job)
        }
        _ = try store.insert(jobs)
        try store.commit()
    }

    private static var filters: [JobFilter] {
        var filters: [JobFilter] = [
            JobFilter(),
            JobFilter(all: true),
            JobFilter(all: true, descending: true),
            JobFilter(statuses: [.killed, .queued, .killed]),
            JobFilter(groups: ["a"]),
            JobFilter(names: ["n3", "n5"], statuses: [.success, .failed]),
            JobFilter(ids: [150, 3, 999, 3, 77, 1, 200, 5000]),
            JobFilter(ids: [150, 3, 999, 77, 1], descending: true),
            JobFilter(all: true, limit: 7),
            JobFilter(groups: ["b"], descending: true, limit: 11),
            JobFilter(ids: Array(stride(from: 1, through: 400, by: 3)), limit: 20),
        ]
        var below = JobFilter(all: true, descending: true, limit: 10)
        below.belowID = 120
        var nonzero = JobFilter()
        nonzero.nonzeroReturncode = true
        filters += [below, nonzero]
        return filters
    }

    /// The ids of a listing read in pages of `size`, each page stopped by its reader after `stop` jobs.
    private func paged(_ filter: JobFilter, size: Int, stop: Int = .max) throws -> [JobID] {
        var pages = try #require(ListingPages(filter))
        var ids: [JobID] = []
        var rounds = 0
        while !pages.isDone {
            rounds += 1
            try #require(rounds < 10_000, "the listing never ends")
            var got: [JobID] = []
            let (count, exhausted) = try store.forEachJob(onPage: pages.nextPage(size: size)) { job in
                got.append(job.id)
                return got.count < stop
            }
            pages.read(count: count, lastID: got.last, exhausted: exhausted)
            ids += got
        }
        return ids
    }

    @Test(arguments: [1, 3, 64])
    func pagesGiveWhatOneQueryGives(size: Int) throws {
        for filter in ListingUnitTests.filters {
            let whole = try store.jobs(matching: filter).map(\.id)
            #expect(try paged(filter, size: size) == whole, "\(filter)")
            #expect(try paged(filter, size: size, stop: 2) == whole, "\(filter), stopped early")
        }
    }

    @Test func anotherOrderIsNotPaged() {
        #expect(ListingPages(JobFilter(sort: .runtime)).map(\.isDone) == nil)
    }

    /// The ids of a sorted listing made in passes of `passSize` jobs (and
    /// `passKeyBytes`), reading keys in pages of `size`.
    private func sortedInPasses(_ filter: JobFilter, passSize: Int, passKeyBytes: Int = .max, size: Int) throws -> [JobID] {
        var listing = SortedListing(filter, passSize: passSize, passKeyBytes: passKeyBytes)
        var ids: [JobID] = []
        var rounds = 0
        while listing.step != .done {
            rounds += 1
            try #require(rounds < 100_000, "the listing never ends")
            switch listing.step {
            case .scan:
                let (keys, exhausted) = try store.sortKeys(onPage: listing.scanPage(size: size), field: listing.field)
                listing.readKeys(keys, exhausted: exhausted)
            case .sort: listing.sortStep(count: 5)
            case .list: ids += listing.nextIDs(count: 3)
            case .done: break
            }
        }
        return ids
    }

    /// A listing in another order, made in passes of any size, gives the jobs
    /// in the order of one `ORDER BY key [DESC], id`: NULLs first, numbers,
    /// text byte by byte (not as Swift orders strings), ties by id.
    @Test(arguments: [1, 7, 1000])
    func sortedPassesGiveWhatOneQueryGives(passSize: Int) throws {
        var odd: [Job] = []
        for (i, name) in ["é", "e\u{301}", "Z", "z", "", "n3", "ä", "\u{1F600}"].enumerated() {
            var job = Job(name: name, group: name, command: name + " cmd", status: .success, sync: false, submitted: Double(i) + 0.5)
            job.returncode = Int32(i) - 3
            job.started = Double(i)
            job.finished = Double(i * i)
            odd.append(job)
        }
        _ = try store.insert(odd)
        try store.commit()
        for field in JobField.sortable where field != .jobid {
            for descending in [false, true] {
                for base in ListingUnitTests.filters {
                    var filter = base
                    (filter.sort, filter.descending) = (field, descending)
                    let whole = try store.jobs(matching: filter).map(\.id)
                    #expect(try sortedInPasses(filter, passSize: passSize, size: 13) == whole, "\(filter)")
                }
            }
        }
    }

    /// A pass keeps at most its bytes of keys (one long key at least): long commands take more passes, not more memory.
    @Test func aPassKeepsItsKeyBytes() throws {
        let filter = JobFilter(all: true, sort: .command, descending: true)
        let whole = try store.jobs(matching: filter).map(\.id)
        #expect(try sortedInPasses(filter, passSize: 1000, passKeyBytes: 40, size: 64) == whole)
        #expect(try sortedInPasses(filter, passSize: 1000, passKeyBytes: 1, size: 64) == whole)
    }

    /// Each page is a range of an index in id order: SQLite never sorts the
    /// listing (which it would do whole, on every page).
    @Test func noPageIsSorted() throws {
        for filter in ListingUnitTests.filters where filter.ids.isEmpty {
            var page = filter
            page.after = 10
            page.limit = 5
            let (sql, values) = page.pageQuery(columns: "id")
            let bindings = values.enumerated().map { index, value in
                switch value {
                case .integer(let v): ".parameter set ?\(index + 1) \(v)"
                case .text(let v): ".parameter set ?\(index + 1) '\(v.replacingOccurrences(of: "'", with: "''"))'"
                default: ""
                }
            }
            let plan = try JobSchedTests.sqlite3(scratch.databasePath, commands: bindings + ["EXPLAIN QUERY PLAN \(sql)"])
            #expect(plan.contains("SEARCH") && !plan.contains("TEMP B-TREE"), "\(filter): \(plan)")
        }
    }
}

@Suite("Unit: ListingText")
struct ListingTextUnitTests {
    private static let jobs = (1...9).map { i in
        Job(id: JobID(i), name: "job\(i)", group: "g", command: String(repeating: "x", count: i), status: .queued,
            sync: false, submitted: 0)
    }

    /// The listing's text made in pages of `size`.
    private func pieces(_ layout: ListingText.Layout, fields: [JobField], jobs: [Job], size: Int) -> String {
        var text = ListingText(layout, fields: fields)
        var out = text.start
        for start in stride(from: 0, to: jobs.count, by: size) {
            out += text.page(Array(jobs[start..<min(jobs.count, start + size)]), now: 0)
        }
        return out + text.end
    }

    @Test(arguments: [1, 4, 9])
    func piecesMakeTheWholeText(size: Int) {
        for jobs in [ListingTextUnitTests.jobs, []] {
            #expect(pieces(.columns, fields: JobField.defaultFields, jobs: jobs, size: size)
                    == TextTable.jobs(jobs, fields: JobField.defaultFields, now: 0))
            #expect(pieces(.records(colored: false), fields: JobField.allCases, jobs: jobs, size: size)
                    == JobTable.records(jobs, fields: JobField.allCases, now: 0))
            #expect(pieces(.json(isUnsaved: { $0 == 3 }), fields: JobField.everyListedField, jobs: jobs, size: size)
                    == JSON.object([("jobs", .array(jobs.map { JobJSON.object($0, now: 0, unsaved: $0.id == 3) }))]).serialized() + "\n")
        }
    }

    /// A table is aligned within each page; in one page it is the whole table.
    @Test func aTableInOnePageIsTheWholeTable() {
        let jobs = ListingTextUnitTests.jobs
        #expect(pieces(.table(colored: false, width: nil), fields: JobTable.defaultFields, jobs: jobs, size: 9)
                == JobTable.render(jobs, fields: JobTable.defaultFields, now: 0))
        #expect(pieces(.table(colored: false, width: nil), fields: JobTable.defaultFields, jobs: [], size: 9)
                == JobTable.render([], fields: JobTable.defaultFields, now: 0))
        let paged = pieces(.table(colored: false, width: nil), fields: JobTable.defaultFields, jobs: jobs, size: 4)
        #expect(paged.split(separator: "\n").count == 10 && paged.hasPrefix("ID"), "\(paged)")
    }
}
