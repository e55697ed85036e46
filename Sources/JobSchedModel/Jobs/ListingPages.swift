/// A listing in job id order read a page at a time, so that a listing of any
/// size is made in bounded steps (`/jobinfo` of a million jobs): each page is
/// the listing's filter after the last id read, at most the rows it asks for.
/// An id list is read a chunk of ids at a time, sorted in listing order.
package struct ListingPages {
    private let filter: JobFilter
    /// The listed ids, in listing order, without repeats; nil when the filter lists none.
    private let ids: [JobID]?
    private var after: JobID?
    private var remaining: Int?
    /// The last id of the id list's chunk the page asked for, and whether no id follows it.
    private var chunkLast: JobID?
    private var isLastChunk = false
    package private(set) var isDone = false

    /// nil if the listing is not in id order (another `sort=`): it cannot be paged by id.
    package init?(_ filter: JobFilter) {
        guard filter.sort == .jobid else { return nil }
        self.filter = filter
        ids = filter.ids.isEmpty ? nil : Array(Set(filter.ids)).sorted(by: filter.descending ? (>) : (<))
        remaining = filter.limit
        isDone = remaining == 0
    }

    /// The filter of the next page, of at most `size` jobs.
    package mutating func nextPage(size: Int) -> JobFilter {
        var page = filter
        page.after = after
        page.limit = min(size, remaining ?? size)
        if let ids {
            let chunk = chunk(of: ids, size: page.limit ?? size)
            page.ids = Array(chunk)
            isLastChunk = chunk.endIndex == ids.endIndex
            chunkLast = chunk.last
        }
        return page
    }

    /// What the page gave: `count` jobs listed (of those it read, the last with
    /// id `lastID`); `exhausted` when it had no more (it gave fewer than
    /// asked), not stopped by the reader.
    package mutating func read(count: Int, lastID: JobID?, exhausted: Bool) {
        if let remaining { self.remaining = remaining - count }
        if remaining == 0 { isDone = true }
        guard exhausted else {
            after = lastID ?? after
            return
        }
        // An id list's chunk may have held ids of no job: the next chunk starts after it.
        guard ids != nil, !isLastChunk, let chunkLast else {
            isDone = true
            return
        }
        after = chunkLast
    }

    /// The ids of `ids` after the last read, at most `size` of them.
    private func chunk(of ids: [JobID], size: Int) -> ArraySlice<JobID> {
        let start = after.map { after in ids.partitioningIndex { filter.descending ? $0 < after : $0 > after } } ?? 0
        return ids[start..<min(ids.count, start + size)]
    }
}

extension Array {
    /// The index of the first element for which `isAfter` is true, in an
    /// array where every such element follows every other (binary search).
    fileprivate func partitioningIndex(where isAfter: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if isAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
