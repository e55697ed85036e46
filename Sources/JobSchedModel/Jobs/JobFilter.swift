/// Which jobs `/jobinfo` shows: each list narrows the result, an empty list
/// does not filter.
package struct JobFilter: Equatable {
    package var ids: [JobID] = []
    package var names: [String] = []
    package var groups: [String] = []
    package var statuses: [JobStatus] = []
    /// The names of the tokens that submitted them (`owner=`).
    package var owners: [String] = []
    /// Only jobs whose run ended with a returncode other than 0 (`returncode=nonzero`).
    package var nonzeroReturncode = false
    /// Only queued jobs next in line that wait for resources (`waiting=resources`):
    /// known in memory, not to the store, so the listing keeps them as it reads.
    package var waitingForResources = false
    /// Show every job; otherwise a filter with no list set shows only active ones.
    package var all = false
    /// Order (by job id unless set) and most rows.
    package var sort: JobField = .jobid
    package var descending = false
    package var limit: Int?
    /// Only ids below this one: paging through `sort=-jobid` by the last id shown.
    package var belowID: JobID?
    /// Only ids after this one in the listing's order (above it, below it when
    /// descending): where the next page of a listing read in pages starts.
    package var after: JobID?

    package init(ids: [JobID] = [], names: [String] = [], groups: [String] = [], statuses: [JobStatus] = [],
                 all: Bool = false, sort: JobField = .jobid, descending: Bool = false, limit: Int? = nil) {
        (self.ids, self.names, self.groups, self.statuses) = (ids, names, groups, statuses)
        (self.all, self.sort, self.descending, self.limit) = (all, sort, descending, limit)
    }

    /// The statuses actually queried: with nothing asked for, the active jobs.
    package var effectiveStatuses: [JobStatus] {
        if waitingForResources && statuses.isEmpty { return [.queued] }
        if statuses.isEmpty && ids.isEmpty && names.isEmpty && groups.isEmpty && owners.isEmpty && !nonzeroReturncode && !all {
            return [.queued, .running]
        }
        return statuses
    }
}
