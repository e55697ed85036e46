/// A finished job just deleted from the store: its status keeps the counts by status right.
package struct DeletedJob: Equatable {
    package let id: JobID
    package let status: JobStatus

    package init(id: JobID, status: JobStatus) {
        (self.id, self.status) = (id, status)
    }
}
