/// A listing in another order than job id (`sort=name`, `sort=-finished`),
/// made in bounded steps and bounded memory however many jobs it holds.
///
/// It is made in passes. A pass reads the sort key of every matching job, a
/// page at a time in id order (`ListingPages`), and keeps the first
/// `passSize` of those that come after the last job listed, in a heap; then
/// it sorts them a step at a time and lists them. The pass that kept every
/// job it saw is the last. A listing of N jobs takes N / `passSize` passes; a
/// `limit=` of at most `passSize` (the usual "top 20 by runtime") takes one.
/// A job whose key changes between passes may be listed twice or not at all,
/// as a job that changes status during an id-order listing may.
package struct SortedListing {
    /// The most jobs one pass keeps, and the most bytes of their keys.
    package static let passSize = 65_536
    package static let passKeyBytes = 16 << 20

    /// What the listing needs next.
    package enum Step: Equatable {
        /// The keys of the page `scanPage` describes (`readKeys`).
        case scan
        /// The kept jobs sorted a step further (`sortStep`).
        case sort
        /// The next ids in the listing's order (`nextIDs`).
        case list
        case done
    }

    package private(set) var step: Step
    private let passSize: Int
    private let passKeyBytes: Int
    private let descending: Bool
    private var remaining: Int?
    private let filter: JobFilter
    private var scan: ListingPages
    /// The last job listed: a pass keeps only those after it.
    private var cursor: SortEntry?
    private var kept = SortHeap()
    /// Whether this pass saw a job after the cursor that it could not keep.
    private var leftOut = false
    /// The kept jobs, sorted and not yet listed.
    private var sorted: ArraySlice<SortEntry> = []

    /// The listing of `filter`, whose `sort` is not `jobid`; a pass keeps at
    /// most `passSize` jobs and `passKeyBytes` bytes of their keys.
    package init(_ filter: JobFilter, passSize: Int = SortedListing.passSize, passKeyBytes: Int = SortedListing.passKeyBytes) {
        self.filter = filter
        (self.passSize, self.passKeyBytes) = (passSize, passKeyBytes)
        descending = filter.descending
        remaining = filter.limit
        scan = SortedListing.scanPages(filter)
        step = remaining == 0 ? .done : .scan
    }

    /// The field whose key is read: the listing's `sort`.
    package var field: JobField { filter.sort }

    /// The filter of the next page of keys to read, of at most `size` jobs, in id order.
    package mutating func scanPage(size: Int) -> JobFilter {
        scan.nextPage(size: size)
    }

    /// The keys of the page asked for by `scanPage`, in id order; `exhausted`
    /// when it had no more. Only the jobs `keeps` are listed.
    package mutating func readKeys(_ keys: [(id: JobID, key: SortKey)], exhausted: Bool, keeps: (JobID) -> Bool = { _ in true }) {
        let capacity = min(passSize, remaining ?? .max)
        for (id, key) in keys where keeps(id) {
            let entry = SortEntry(key: key, id: id, descending: descending)
            if let cursor, !(cursor < entry) { continue }
            if let last = kept.max, kept.count >= capacity || kept.keyBytes > passKeyBytes, !(entry < last) {
                leftOut = true
                continue
            }
            kept.insert(entry)
            // One long key may take the room of many short ones; one entry is always kept.
            while kept.count > capacity || (kept.keyBytes > passKeyBytes && kept.count > 1) {
                kept.removeMax()
                leftOut = true
            }
        }
        scan.read(count: keys.count, lastID: keys.last?.id, exhausted: exhausted)
        if scan.isDone { step = .sort }
    }

    /// Sorts the kept jobs `count` entries further; once sorted, they are listed.
    package mutating func sortStep(count: Int) {
        guard kept.sortStep(count: count) else { return }
        sorted = kept.takeSorted()[...]
        step = sorted.isEmpty ? .done : .list
    }

    /// The next ids to list, at most `count`, in the listing's order.
    package mutating func nextIDs(count: Int) -> [JobID] {
        let taken = sorted.prefix(count)
        sorted = sorted.dropFirst(taken.count)
        if let last = taken.last { cursor = last }
        if let remaining { self.remaining = remaining - taken.count }
        if sorted.isEmpty {
            if leftOut, remaining.map({ $0 > 0 }) ?? true {
                leftOut = false
                scan = SortedListing.scanPages(filter)
                step = .scan
            } else {
                step = .done
            }
        }
        return taken.map(\.id)
    }

    /// The whole listing's jobs, in id order, with no limit: each pass reads them all.
    private static func scanPages(_ filter: JobFilter) -> ListingPages {
        var scan = filter
        (scan.sort, scan.descending, scan.limit) = (.jobid, false, nil)
        return ListingPages(scan)!
    }
}

/// A value of a sorted column, ordered as SQLite orders them: NULL first,
/// then numbers, then text, byte by byte (its BINARY collation).
package enum SortKey {
    case null, integer(Int64), real(Double), text(String)

    fileprivate var bytes: Int {
        if case .text(let text) = self { return text.utf8.count }
        return 0
    }

    fileprivate static func precedes(_ a: SortKey, _ b: SortKey) -> Bool {
        switch (a, b) {
        case (.null, .null): false
        case (.null, _): true
        case (_, .null): false
        case (.text(let x), .text(let y)): x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.text, _): false
        case (_, .text): true
        default: a.number < b.number
        }
    }

    private var number: Double {
        switch self {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: 0
        }
    }
}

/// One job of a sorted listing: ordered by its key (descending if asked),
/// then by id, as `ORDER BY key [DESC], id` is.
private struct SortEntry: Comparable {
    let key: SortKey
    let id: JobID
    let descending: Bool

    static func < (a: SortEntry, b: SortEntry) -> Bool {
        // Not `a.key != b.key`: Swift's == finds "é" and "e\u{301}" equal, SQLite does not.
        if SortKey.precedes(a.key, b.key) { return !a.descending }
        if SortKey.precedes(b.key, a.key) { return a.descending }
        return a.id < b.id
    }

    static func == (a: SortEntry, b: SortEntry) -> Bool { !(a < b) && !(b < a) }
}

/// The kept entries of a pass: a max-heap, so the greatest is dropped when
/// a smaller one comes; then sorted in place a step at a time (heapsort).
private struct SortHeap {
    private var entries: [SortEntry] = []
    /// Entries still in heap order; those past it are sorted, ascending.
    private var heapCount = 0
    private(set) var keyBytes = 0

    var count: Int { heapCount }
    var max: SortEntry? { heapCount > 0 ? entries[0] : nil }

    mutating func insert(_ entry: SortEntry) {
        entries.append(entry)
        heapCount += 1
        keyBytes += entry.key.bytes
        var child = heapCount - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[parent] < entries[child] else { break }
            entries.swapAt(parent, child)
            child = parent
        }
    }

    mutating func removeMax() {
        keyBytes -= entries[0].key.bytes
        heapCount -= 1
        entries.swapAt(0, heapCount)
        entries.removeLast()
        siftDown(from: 0)
    }

    /// Moves up to `count` greatest entries to the sorted end; true once all are sorted.
    mutating func sortStep(count: Int) -> Bool {
        for _ in 0..<count where heapCount > 1 {
            heapCount -= 1
            entries.swapAt(0, heapCount)
            siftDown(from: 0)
        }
        return heapCount <= 1
    }

    /// The entries, sorted; the heap is left empty.
    mutating func takeSorted() -> [SortEntry] {
        defer { (entries, heapCount, keyBytes) = ([], 0, 0) }
        return entries
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heapCount else { return }
            var largest = left
            if left + 1 < heapCount, entries[left] < entries[left + 1] { largest = left + 1 }
            guard entries[parent] < entries[largest] else { return }
            entries.swapAt(parent, largest)
            parent = largest
        }
    }
}
