/// The finished jobs the store holds, by group and outcome and by status:
/// counted once at start, then kept exact as jobs end and are deleted, so
/// that `/group`, `/overview` and `--keep-finished` never count rows.
package struct FinishedCounts: Equatable {
    package private(set) var byGroup: [String: [JobOutcome: Int]] = [:]
    package private(set) var byStatus: [JobStatus: Int] = [:]
    package private(set) var total = 0

    package init() {}

    package mutating func add(_ count: Int = 1, group: String, outcome: JobOutcome) {
        byGroup[group, default: [:]][outcome, default: 0] += count
        byStatus[outcome.status, default: 0] += count
        total += count
    }

    package mutating func remove(group: String, outcome: JobOutcome) {
        add(-1, group: group, outcome: outcome)
        if byGroup[group]?.values.allSatisfy({ $0 == 0 }) == true { byGroup[group] = nil }
    }
}
