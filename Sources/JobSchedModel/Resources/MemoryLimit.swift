/// What a job over its `mem=` is told, in its `msg`.
package enum MemoryLimit {
    /// Found over it by sampling its processes' resident memory.
    package static func exceeded(limit: MemorySize, used: Int) -> String {
        "over its mem=\(limit.text): used \(JobTable.memory(bytes: used)), \(JobTable.memory(bytes: used - limit.bytes)) more"
    }

    /// Held to it by the kernel (a memory cgroup), whose out-of-memory
    /// killer acted when it asked for more.
    package static func stoppedByKernel(limit: MemorySize) -> String {
        "over its mem=\(limit.text): it asked for more, and the kernel's out-of-memory killer stopped it"
    }
}

/// How `mem=` is held (--mem-enforcement): by the kernel, in a memory cgroup
/// for each job, or by sampling its processes' memory; `auto` takes the
/// kernel's where the server can make cgroups.
package enum MemoryEnforcement: String, CaseIterable, Sendable {
    case auto, cgroup, sampling
}
