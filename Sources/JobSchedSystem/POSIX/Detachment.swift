import CPOSIX
import Glibc
import JobSchedModel

/// `jobsched serve --detach`: the server goes on in the background, in a
/// session of its own with no terminal, so that closing the terminal that
/// started it (SIGHUP) does not end it and its jobs, as task-spooler's server
/// detaches itself. The parent waits for the server's `listening on` line,
/// prints it and returns, so a script can read the address as from a server
/// in the foreground; a server that fails to start makes it exit non-zero
/// with the server's own error, from the log.
package enum Detachment {
    /// In the server, after the fork: where its first line goes.
    package struct Server {
        private let announceFD: Int32

        /// Sends `line` (the `listening on` line) to the waiting parent.
        package func announce(_ line: String) {
            _ = writeAll(Array((line + "\n").utf8), to: announceFD)
            close(announceFD)
        }

        fileprivate init(announceFD: Int32) {
            self.announceFD = announceFD
        }
    }

    /// Forks. The parent never returns: it prints the server's first line
    /// and exits 0, or exits 1 with what the server logged if it ended
    /// first. The child, in a new session, stdin from /dev/null, stdout and
    /// stderr appended to `logFile`, returns to start the server.
    package static func detach(logFile: String) throws(ServerError) -> Server {
        let log = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard log >= 0 else { throw ServerError("cannot open the log file '\(logFile)': \(errnoText())") }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe2(&pipeFDs, O_CLOEXEC) == 0 else { throw ServerError("cannot make a pipe: \(errnoText())") }
        let logStart = lseek(log, 0, SEEK_END)
        let pid = fork()
        guard pid >= 0 else { throw ServerError("cannot fork: \(errnoText())") }
        if pid > 0 {
            close(pipeFDs[1])
            waitForServer(pid: pid, announcements: pipeFDs[0], logFile: logFile, logStart: logStart)
        }
        close(pipeFDs[0])
        setsid()
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        if null >= 0 { dup2(null, 0) }
        // stdout too at once: what the server starts (its job spawner) must
        // not hold the caller's stdout open, or a `$(jobsched serve --detach)` never ends.
        dup2(log, 1)
        dup2(log, 2)
        closeInheritedDescriptors(keeping: pipeFDs[1])
        return Server(announceFD: pipeFDs[1])
    }

    /// A detached server's pid file (`DBFILE.pid`): its pid, then its address.
    /// A second `--detach` on the same database finds it there; a stale file
    /// (its process gone) is not a server.
    package struct PIDFile {
        package let path: String

        package init(path: String) { self.path = path }

        /// The pid and address of the server that wrote it, if it still runs.
        package var runningServer: (pid: pid_t, url: String)? {
            guard let bytes = try? readWholeFile(path) else { return nil }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            guard let pid = lines.first.flatMap({ pid_t($0) }), pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return nil }
            return (pid, lines.dropFirst().first.map(String.init) ?? "")
        }

        package func write(url: String) throws(ServerError) {
            do {
                try writeWholeFile(path, "\(getpid())\n\(url)\n", mode: 0o644)
            } catch {
                throw ServerError("cannot write the pid file '\(path)': \(error)")
            }
        }

        package func remove() { unlink(path) }
    }

    /// Every descriptor but stdin, stdout, stderr and `kept`: those the
    /// caller left open without close-on-exec (its own pipes) would be held
    /// by the server for as long as it runs.
    private static func closeInheritedDescriptors(keeping kept: Int32) {
        let open = directoryEntries("/proc/self/fd").compactMap { Int32($0) }
        for fd in open where fd > 2 && fd != kept { close(fd) }
    }

    /// The parent's side: the server's first line, or its end.
    private static func waitForServer(pid: pid_t, announcements: Int32, logFile: String, logStart: off_t) -> Never {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.last != UInt8(ascii: "\n") {
            let n = read(announcements, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\n") {
            _ = writeAll(line, to: 1)
            exit(0)
        }
        // It ended before it listened: what it logged since says why.
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let logged = (try? readWholeFile(logFile)).map { Array($0.dropFirst(Int(logStart))) } ?? []
        _ = writeAll(logged.isEmpty ? Array("jobsched: the server did not start (log: \(logFile))\n".utf8) : logged, to: 2)
        exit(1)
    }
}
