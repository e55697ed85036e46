/// What a job over its `mem=` is told, in its `msg`.
package enum MemoryLimit {
    package static func exceeded(limit: MemorySize, used: Int) -> String {
        "over its mem=\(limit.text): used \(JobTable.memory(bytes: used)), \(JobTable.memory(bytes: used - limit.bytes)) more"
    }
}
