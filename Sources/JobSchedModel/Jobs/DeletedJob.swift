/// A finished job just deleted from the store: its group and outcome keep the counts right.
package struct DeletedJob: Equatable {
    package let id: JobID
    package let group: String
    package let outcome: JobOutcome

    package init(id: JobID, group: String, outcome: JobOutcome) {
        (self.id, self.group, self.outcome) = (id, group, outcome)
    }
}
