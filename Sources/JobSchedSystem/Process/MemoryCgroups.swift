import CPOSIX
import Glibc
import JobSchedModel

/// Memory cgroups for jobs: each job with `mem=` runs in a cgroup of its own,
/// made under the server's, whose limit is its `mem=`. The kernel then counts
/// every page of the job (also of processes that leave its process group)
/// and keeps it within the limit: at the limit it reclaims, and what cannot
/// be reclaimed ends with its out-of-memory killer, in the job only. The
/// server hears of each such kill from the cgroup (`outOfMemoryNotifier`).
///
/// Made where the machine lets the server: cgroup v2 with the memory
/// controller (the server then moves itself into a leaf of its cgroup, as
/// the "no processes in inner cgroups" rule asks), or the v1 memory
/// controller. Elsewhere `open` says why not, and `mem=` is sampled instead.
package final class MemoryCgroups {
    package enum Version: String {
        case v1 = "cgroup v1"
        case v2 = "cgroup v2"
    }

    package let version: Version
    /// `jobsched-PID` in the server's own cgroup: its jobs' cgroups are in here.
    package let directory: String
    /// The cgroup.procs of the server's cgroup (v2: its leaf).
    private let serverProcesses: String

    private init(version: Version, directory: String, serverProcesses: String) {
        (self.version, self.directory, self.serverProcesses) = (version, directory, serverProcesses)
    }

    /// The folder of this server's job cgroups, made now; or why there can be none.
    /// `ownProcesses`: the server's pids that may share its cgroup (its spawner).
    package static func open(ownProcesses: [pid_t]) -> Result<MemoryCgroups, CgroupUnavailable> {
        let cgroupFile = (try? readWholeFile("/proc/self/cgroup")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let mountInfo = (try? readWholeFile("/proc/self/mountinfo")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var reasons: [String] = []
        for (version, own) in CgroupPaths.ownMemoryCgroups(cgroupFile: cgroupFile, mountInfo: mountInfo) {
            removeLeftovers(in: own)
            let directory = own + "/jobsched-\(getpid())"
            do {
                let server: String
                switch version {
                case .v2: server = try prepareV2(own: own, directory: directory, ownProcesses: ownProcesses)
                case .v1:
                    try makeFolder(directory)
                    server = own
                }
                return .success(MemoryCgroups(version: version, directory: directory, serverProcesses: server + "/cgroup.procs"))
            } catch {
                rmdir(directory)
                reasons.append("\(version.rawValue) at \(own): \(error.description)")
            }
        }
        return .failure(CgroupUnavailable(reason: reasons.isEmpty ? "no memory cgroup is mounted" : reasons.joined(separator: "; ")))
    }

    /// cgroup v2 gives a controller to a cgroup's children only while it has
    /// no processes of its own: the server's processes move into
    /// `jobsched-PID/server`, and memory is handed down to `jobsched-PID`'s
    /// children. The server's cgroup then.
    private static func prepareV2(own: String, directory: String, ownProcesses: [pid_t]) throws(SystemCallError) -> String {
        guard words(in: own + "/cgroup.controllers").contains("memory") else {
            throw SystemCallError(description: "its memory controller is not given to the server's cgroup")
        }
        try makeFolder(directory)
        var server = own
        if !words(in: own + "/cgroup.subtree_control").contains("memory") {
            let ours = Set([getpid()] + ownProcesses)
            let others = words(in: own + "/cgroup.procs").compactMap { pid_t($0) }.filter { !ours.contains($0) }
            guard others.isEmpty else {
                throw SystemCallError(description: "the server's cgroup holds other processes (\(others.count)); start it in one of its own, such as with systemd-run -p Delegate=yes")
            }
            let leaf = directory + "/server"
            try makeFolder(leaf)
            for pid in ours { try write("\(pid)", to: leaf + "/cgroup.procs") }
            server = leaf
            try write("+memory", to: own + "/cgroup.subtree_control")
        }
        try write("+memory", to: directory + "/cgroup.subtree_control")
        return server
    }

    /// The job cgroups of servers that are gone (a crash leaves them), and their folders.
    private static func removeLeftovers(in own: String) {
        for name in directoryEntries(own) where name.hasPrefix("jobsched-") {
            guard let pid = pid_t(name.dropFirst("jobsched-".count)), pid != getpid(),
                  kill(pid, 0) != 0 && errno == ESRCH else { continue }
            let folder = own + "/" + name
            for child in directoryEntries(folder) where !child.contains(".") { rmdir(folder + "/" + child) }
            rmdir(folder)
        }
    }

    /// Makes job `name`'s cgroup, limited to `limit` bytes.
    package func create(_ name: String, limit: Int) throws(SystemCallError) -> JobCgroup {
        let cgroup = JobCgroup(path: directory + "/" + name, serverProcesses: serverProcesses)
        try MemoryCgroups.makeFolder(cgroup.path)
        do {
            switch version {
            // Swapped-out pages count too (as Slurm's AllowedSwapSpace=0): a job cannot
            // go past its mem= by swapping. The swap files exist where swap is accounted.
            case .v1:
                try MemoryCgroups.write("\(limit)", to: cgroup.path + "/memory.limit_in_bytes")
                try MemoryCgroups.writeIfPresent("\(limit)", to: cgroup.path + "/memory.memsw.limit_in_bytes")
            case .v2:
                try MemoryCgroups.write("\(limit)", to: cgroup.path + "/memory.max")
                try MemoryCgroups.writeIfPresent("0", to: cgroup.path + "/memory.swap.max")
                // The job ends whole, as it would by a kill from the server, not one process of it.
                try MemoryCgroups.write("1", to: cgroup.path + "/memory.oom.group")
            }
        } catch {
            rmdir(cgroup.path)
            throw error
        }
        return cgroup
    }

    /// Whether the job has run out of memory at its limit (and the kernel's
    /// out-of-memory killer has acted, or is about to).
    package func ranOutOfMemory(_ cgroup: JobCgroup) -> Bool {
        let file = cgroup.path + (version == .v1 ? "/memory.oom_control" : "/memory.events")
        let text = (try? readWholeFile(file)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let counters = version == .v1 ? ["oom_kill", "under_oom"] : ["oom", "oom_kill"]
        return counters.contains { (CgroupPaths.counter($0, in: text) ?? 0) > 0 }
    }

    /// Whether the notifier fires only when the job runs out of memory (v1's
    /// eventfd, signalled as the out-of-memory killer begins, before its
    /// count moves), or at any change of its counters (v2's, then read).
    package var notifierMeansOutOfMemory: Bool { version == .v1 }

    /// Told when the job may have run out of memory (`notifierMeansOutOfMemory`); nil if the kernel refuses.
    package func outOfMemoryNotifier(for cgroup: JobCgroup) -> CgroupNotifier? {
        switch version {
        case .v1:
            // An eventfd the controller signals, registered through cgroup.event_control.
            let event = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
            guard event >= 0 else { return nil }
            let control = Glibc.open(cgroup.path + "/memory.oom_control", O_RDONLY | O_CLOEXEC)
            defer { if control >= 0 { close(control) } }
            guard control >= 0, (try? MemoryCgroups.write("\(event) \(control)", to: cgroup.path + "/cgroup.event_control")) != nil else {
                close(event)
                return nil
            }
            return CgroupNotifier(fd: event)
        case .v2:
            // v2 says it as a change of memory.events.
            let watch = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard watch >= 0, inotify_add_watch(watch, cgroup.path + "/memory.events", UInt32(IN_MODIFY)) >= 0 else {
                if watch >= 0 { close(watch) }
                return nil
            }
            return CgroupNotifier(fd: watch)
        }
    }

    /// Removes a job's cgroup; false while processes are still in it.
    package func remove(_ cgroup: JobCgroup) -> Bool {
        rmdir(cgroup.path) == 0 || errno == ENOENT
    }

    /// Removes the folder of job cgroups, and any left in it, as the server
    /// exits (v2's: the next start, once the server's leaf has emptied).
    package func removeAll() {
        for name in directoryEntries(directory) where !name.contains(".") { rmdir(directory + "/" + name) }
        rmdir(directory)
    }

    private static func makeFolder(_ path: String) throws(SystemCallError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw SystemCallError(description: "cannot create \(path): \(errnoText())") }
    }

    /// Writes a control file in one write, as cgroup files want.
    private static func write(_ text: String, to path: String) throws(SystemCallError) {
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError(description: "cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        guard writeAll(Array(text.utf8), to: fd) else { throw SystemCallError(description: "cannot write \(path): \(errnoText())") }
    }

    /// The same for a control file that exists only where the kernel offers it.
    private static func writeIfPresent(_ text: String, to path: String) throws(SystemCallError) {
        guard access(path, F_OK) == 0 else { return }
        try write(text, to: path)
    }

    private static func words(in path: String) -> [String] {
        let text = (try? readWholeFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }
}

/// Why jobs cannot have memory cgroups here: said in the server's log.
package struct CgroupUnavailable: Error {
    package let reason: String
}

/// A descriptor (non-blocking) that becomes readable when a cgroup has
/// news; read it empty (`drain`) to wait for the next. Closed with it.
package final class CgroupNotifier {
    package let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    package func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// A job's memory cgroup.
package struct JobCgroup: Equatable {
    package let path: String
    /// The cgroup.procs of the server's own cgroup, which it goes back to
    /// after starting a job from inside this one.
    package let serverProcesses: String
    /// The file a process joins it through.
    package var processes: String { path + "/cgroup.procs" }
}

/// What /proc says of cgroups, read without touching them.
package enum CgroupPaths {
    /// The folders of the server's own memory cgroup, v2's first: from its
    /// /proc/self/cgroup lines and the mounts in /proc/self/mountinfo.
    package static func ownMemoryCgroups(cgroupFile: String, mountInfo: String) -> [(MemoryCgroups.Version, String)] {
        var paths: [MemoryCgroups.Version: String] = [:]
        for line in cgroupFile.split(separator: "\n") {
            // hierarchy-id:controllers:path
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                paths[.v2] = String(parts[2])
            } else if parts[1].split(separator: ",").contains("memory") {
                paths[.v1] = String(parts[2])
            }
        }
        var found: [(MemoryCgroups.Version, String)] = []
        for line in mountInfo.split(separator: "\n") {
            // id parent major:minor root mount-point options [optional fields] - type source super-options
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let mount = halves[0].split(separator: " ")
            let filesystem = halves[1].split(separator: " ")
            guard mount.count >= 5, filesystem.count >= 3 else { continue }
            let version: MemoryCgroups.Version
            switch filesystem[0] {
            case "cgroup2": version = .v2
            case "cgroup" where filesystem[2].split(separator: ",").contains("memory"): version = .v1
            default: continue
            }
            guard let path = paths[version], let inside = relative(path, to: String(mount[3])),
                  !found.contains(where: { $0.0 == version }) else { continue }
            found.append((version, String(mount[4]) + inside))
        }
        return found.sorted { $0.0 == .v2 && $1.0 == .v1 }
    }

    /// `path` as seen from a mount whose root is `root`; nil if outside it.
    private static func relative(_ path: String, to root: String) -> String? {
        if root == "/" { return path == "/" ? "" : path }
        guard path == root || path.hasPrefix(root + "/") else { return nil }
        return String(path.dropFirst(root.count))
    }

    /// The value of a `name N` line of a cgroup's flat key file (memory.events, memory.oom_control).
    package static func counter(_ name: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 && fields[0] == name { return Int(fields[1]) }
        }
        return nil
    }
}
