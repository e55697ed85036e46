/// Which events a `/events` client asked for (`group=`, `jobid=`, `status=`, `owner=`),
/// like `/jobinfo`'s filters: each list narrows, an empty list does not filter.
package struct EventFilter: Hashable {
    package var ids: Set<JobID> = []
    package var groups: Set<String> = []
    package var statuses: Set<JobStatus> = []
    package var owners: Set<String> = []

    package init(ids: Set<JobID> = [], groups: Set<String> = [], statuses: Set<JobStatus> = [], owners: Set<String> = []) {
        (self.ids, self.groups, self.statuses, self.owners) = (ids, groups, statuses, owners)
    }

    package var isEmpty: Bool { ids.isEmpty && groups.isEmpty && statuses.isEmpty && owners.isEmpty }

    /// A job event passes on the job as it is after the change. A removal
    /// carries only ids, so only `jobid=` holds it back, when it names none of
    /// them. A group change passes unless the client follows single jobs; the
    /// all-groups switch concerns every group. Shutdown reaches everyone.
    package func matches(_ event: ServerEvent) -> Bool {
        switch event {
        case .submitted(let job), .started(let job), .placed(let job), .retried(let job), .edited(let job), .finished(let job):
            return (ids.isEmpty || ids.contains(job.id)) && (groups.isEmpty || groups.contains(job.group))
                && (statuses.isEmpty || statuses.contains(job.status)) && (owners.isEmpty || job.owner.map(owners.contains) == true)
        case .removed(let removed):
            return ids.isEmpty || ids.contains(where: removed.contains)
        case .groupChanged(let name, _):
            return ids.isEmpty && (groups.isEmpty || groups.contains(name) || name == Scheduler.allGroups)
        case .shutdown:
            return true
        }
    }
}
