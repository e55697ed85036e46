import Glibc
import JobSchedModel

/// The processes of jobs that a crashed server left running, found in /proc.
///
/// Every job process carries `JOBSCHED_DATABASE=<file>` in its environment
/// (`JobEnvironment`); a server starting on that file kills their process
/// groups. This needs nothing from the database, so it also finds a job
/// started just before the crash whose state was not yet committed. A
/// process that made a session of its own (setsid, a daemon) is left alone,
/// as it is when a job ends normally.
package enum OrphanedJobs {
    /// The process groups to kill, with the job id each belongs to.
    package static func processGroups(database: String) -> [(group: pid_t, jobID: JobID?)] {
        guard let proc = opendir("/proc") else { return [] }
        defer { closedir(proc) }
        let mark = Array("\(JobEnvironment.databaseVariable)=\(database)".utf8)
        var found: [pid_t: JobID?] = [:]
        while let entry = readdir(proc) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), pid != getpid(),
                  let stat = try? readWholeFile("/proc/\(pid)/stat"), let environment = try? readWholeFile("/proc/\(pid)/environ"),
                  let member = jobProcess(statLine: String(decoding: stat, as: UTF8.self), environment: environment, mark: mark)
            else { continue }
            found[member.group] = member.jobID
        }
        return found.map { (group: $0.key, jobID: $0.value) }.sorted { $0.group < $1.group }
    }

    /// The job process group of a process, from its /proc/PID/stat line and its
    /// NUL-separated environment; nil if it is no process of this server's
    /// jobs, or one in a session of its own.
    package static func jobProcess(statLine: String, environment: [UInt8], mark: [UInt8]) -> (group: pid_t, jobID: JobID?)? {
        let variables = environment.split(separator: 0)
        guard variables.contains(where: { $0.elementsEqual(mark) }),
              let close = statLine.lastIndex(of: ")") else { return nil }
        // After the command name: state, ppid, pgrp, session.
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let group = pid_t(fields[2]), let session = pid_t(fields[3]),
              group > 1, group != session else { return nil }
        let prefix = Array("\(JobEnvironment.jobIDVariable)=".utf8)
        let jobID = variables.first { $0.starts(with: prefix) }.flatMap { JobID(String(decoding: $0.dropFirst(prefix.count), as: UTF8.self)) }
        return (group, jobID)
    }
}
