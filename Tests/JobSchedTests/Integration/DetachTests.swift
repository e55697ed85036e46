import Foundation
import Glibc
import Testing

/// `jobsched serve --detach` (issue 28, item 2): the server outlives the
/// terminal that started it, says where it listens before the command
/// returns, knows a second one is refused by its pid file, and stops cleanly on SIGTERM.
@Suite("Integration: a detached server", .serialized)
struct DetachIntegrationTests {
    /// Runs `jobsched ARGS` in a terminal of its own (a pseudo-terminal from
    /// script(1)), to its end: exit status, and what the terminal showed.
    /// When it ends the terminal closes, and its session gets SIGHUP, as when a
    /// user closes the window.
    private func inTerminal(_ arguments: [String], directory: ScratchDirectory) throws -> (status: Int32, shown: String) {
        let command = ([ServerProcess.binary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let result = try runToEnd("/usr/bin/script", ["-qec", command, "/dev/null"], directory: directory.url)
        return (result.status, result.stdout.replacingOccurrences(of: "\r", with: ""))
    }

    /// SIGTERM, and SIGKILL only if the server has not exited a minute later.
    private static func stop(_ pid: pid_t) {
        guard kill(pid, SIGTERM) == 0 else { return }
        if !eventually(timeout: 60, { kill(pid, 0) != 0 }) { kill(pid, SIGKILL) }
    }

    @Test func itOutlivesItsTerminalAndStopsCleanly() throws {
        let directory = try ScratchDirectory()
        let database = directory.file("jobs.sqlite")
        let started = try inTerminal(["serve", "--detach", "-p", "0", "--dbfile", database], directory: directory)
        #expect(started.status == 0 && started.shown.hasPrefix("listening on http://127.0.0.1:"), "\(started)")
        let url = String(started.shown.dropFirst("listening on ".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        let pidLines = try String(contentsOfFile: database + ".pid", encoding: .utf8).split(separator: "\n")
        let pid = try #require(pidLines.first.flatMap { Int32($0) })
        #expect(pidLines.count == 2 && pidLines[1] == url)
        // However the test ends: a clean stop, which ends the server's jobs too (a SIGKILL would leave them running).
        defer { Self.stop(pid) }
        // Its own session, no terminal, stdin from /dev/null.
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ") ")!.upperBound...].split(separator: " ")
        #expect(fields[3] == "\(pid)" && fields[4] == "0", "session \(fields[3]), tty \(fields[4])")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0")) == "/dev/null")

        let job = Curl.run(["--data", "sync=0&command=sleep 300", "\(url)/submit"])
        let id = try #require(Int64(job.body.trimmingCharacters(in: .whitespacesAndNewlines)), "\(job)")
        #expect(eventually { Curl.run(["--data", "jobid=\(id)&fields=status", "\(url)/jobinfo"]).body.contains("running") })
        // Its terminal closed when the command returned (its session got SIGHUP): the server and its job go on.
        #expect(Curl.run(["\(url)/health"]).body == "ok\n")
        #expect(Curl.run(["--data", "jobid=\(id)&fields=status", "\(url)/jobinfo"]).body.contains("running"))

        // A second --detach on the same database is told where the first one is.
        let second = try inTerminal(["serve", "--detach", "-p", "0", "--dbfile", database], directory: directory)
        #expect(second.status == 1 && second.shown.contains("already runs") && second.shown.contains("pid \(pid)"), "\(second)")

        // SIGTERM (systemd's stop): a clean shutdown, the job ended, the pid file gone, all in the log.
        kill(pid, SIGTERM)
        #expect(eventually(timeout: 60) { kill(pid, 0) != 0 })
        #expect(!FileManager.default.fileExists(atPath: database + ".pid"))
        let log = try String(contentsOfFile: database + ".log", encoding: .utf8)
        #expect(log.contains("shutting down (SIGTERM)") && log.contains("server stopped"), "\(log)")
        let record = try sqlite3(database, "SELECT status, msg FROM jobs WHERE id = \(id)")
        #expect(record == "killed|server shutdown\n", "\(record)")
    }

    @Test func aServerThatCannotStartSaysWhyAndExits1() throws {
        let server = try ServerProcess()
        // Its database is in use: the detached one fails, and the command says why.
        let failed = try inTerminal(["serve", "--detach", "-p", "0", "--dbfile", server.databasePath], directory: server.directory)
        #expect(failed.status == 1 && !failed.shown.contains("listening on") && failed.shown.contains("is in use by another jobsched server"), "\(failed)")
    }

    @Test func theClientSaysHowToStartOneInTheBackground() throws {
        let directory = try ScratchDirectory()
        // Nothing listens at the default address (an idle machine's 4321): the client's advice.
        guard Curl.run(["-m", "2", "http://127.0.0.1:4321/health"]).status == 0 else { return }
        let result = try ClientProcess.run(["add", "--", "true"], server: nil, directory: directory)
        #expect(result.status == 125 && result.stderr.contains("start one with `jobsched serve --detach`"), "\(result)")
    }
}
