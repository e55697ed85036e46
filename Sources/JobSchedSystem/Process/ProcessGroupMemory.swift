import Glibc
import JobSchedModel

/// The resident memory of process groups (a local job runs in a group of its
/// own, its children with it), summed over their processes from /proc.
package enum ProcessGroupMemory {
    /// Counts the resident bytes of each group in `groups`, a few hundred
    /// processes a step: a step to call until it returns false; `done` is
    /// given the sums then (a group with no process left has none).
    package static func census(of groups: Set<pid_t>, processesPerStep: Int = 256,
                               done: @escaping ([pid_t: Int]) -> Void) -> () -> Bool {
        let reader = DirectoryReader("/proc")
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var sums: [pid_t: Int] = [:]
        return {
            guard let names = reader.next(processesPerStep) else {
                done(sums)
                return false
            }
            for name in names where name.utf8.allSatisfy(isASCIIDigit) {
                guard let line = try? readWholeFile("/proc/\(name)/stat"),
                      let member = groupAndResidentPages(statLine: String(decoding: line, as: UTF8.self)),
                      groups.contains(member.group) else { continue }
                sums[member.group, default: 0] += member.pages * pageSize
            }
            return true
        }
    }

    /// A process's group and resident pages, from its /proc/PID/stat line.
    package static func groupAndResidentPages(statLine: String) -> (group: pid_t, pages: Int)? {
        // After the command name (which may hold anything): state, ppid, pgrp, ... the 22nd is rss.
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        guard fields.count > 21, let group = pid_t(fields[2]), let pages = Int(fields[21]) else { return nil }
        return (group, pages)
    }
}
