/// What a job over its `mem=` is told, in its `msg`.
package enum MemoryLimit {
    package static func exceeded(limit: MemorySize, used: Int) -> String {
        "over its mem=\(limit.text): used \(rounded(used)), \(rounded(used - limit.bytes)) more"
    }

    /// `812K`, `41.2M`, `3.5G`.
    private static func rounded(_ bytes: Int) -> String { JobTable.memory(kilobytes: Int64(bytes / 1024)) }
}
