/// The active (queued or running) jobs by group and by name within a group,
/// so that `/wait group=`, `unique=1` and the group listing look at the
/// jobs concerned instead of scanning every active job.
package struct ActiveIndex {
    package init() {}

    private struct NameInGroup: Hashable {
        package let name: String
        package let group: String
    }

    package private(set) var byGroup: [String: JobIDSet] = [:]
    private var byName: [NameInGroup: JobIDSet] = [:]

    package mutating func insert(_ job: Job) {
        byGroup[job.group, default: JobIDSet()].insert(job.id)
        byName[NameInGroup(name: job.name, group: job.group), default: JobIDSet()].insert(job.id)
    }

    package mutating func remove(_ job: Job) {
        ActiveIndex.remove(job.id, at: job.group, from: &byGroup)
        ActiveIndex.remove(job.id, at: NameInGroup(name: job.name, group: job.group), from: &byName)
    }

    /// The active jobs of a group, oldest first.
    package func jobs(inGroup group: String) -> [JobID] { byGroup[group]?.sorted() ?? [] }

    /// The oldest active job with this name in this group, if any.
    package func firstJob(named name: String, inGroup group: String) -> JobID? {
        byName[NameInGroup(name: name, group: group)]?.min()
    }

    private static func remove<Key>(_ id: JobID, at key: Key, from index: inout [Key: JobIDSet]) {
        index[key]?.remove(id)
        if index[key]?.isEmpty == true { index[key] = nil }
    }
}
