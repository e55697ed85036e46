import Foundation
import Glibc
import Testing

/// `jobsched serve --detach` (issue 28, item 2): the server outlives the
/// terminal that started it, says where it listens before the command
/// returns, knows a second one is refused by its pid file, and stops cleanly on SIGTERM.
@Suite("Integration: a detached server", .serialized)
struct DetachIntegrationTests {
    /// Runs `jobsched ARGS` in a shell of its own process group (as a
    /// terminal's job), to its end: exit status, stdout, stderr.
    private func inShell(_ arguments: [String], directory: ScratchDirectory) throws -> (status: Int32, stdout: String, stderr: String, pgid: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["--wait", ServerProcess.binary.path] + arguments
        let (out, err) = (Pipe(), Pipe())
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let pgid = process.processIdentifier
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr, pgid)
    }

    @Test func itOutlivesItsTerminalAndStopsCleanly() throws {
        let directory = try ScratchDirectory()
        let database = directory.file("jobs.sqlite")
        let started = try inShell(["serve", "--detach", "-p", "0", "--dbfile", database], directory: directory)
        #expect(started.status == 0 && started.stdout.hasPrefix("listening on http://127.0.0.1:"), "\(started)")
        let url = String(started.stdout.dropFirst("listening on ".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        let pidLines = try String(contentsOfFile: database + ".pid", encoding: .utf8).split(separator: "\n")
        let pid = try #require(pidLines.first.flatMap { Int32($0) })
        #expect(pidLines.count == 2 && pidLines[1] == url)
        defer { kill(pid, SIGKILL) }
        // Its own session, no terminal, stdin from /dev/null.
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ") ")!.upperBound...].split(separator: " ")
        #expect(fields[3] == "\(pid)" && fields[4] == "0", "session \(fields[3]), tty \(fields[4])")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0")) == "/dev/null")

        let job = Curl.run(["--data", "sync=0&command=sleep 300", "\(url)/submit"])
        let id = try #require(Int64(job.body.trimmingCharacters(in: .whitespacesAndNewlines)), "\(job)")
        #expect(eventually { Curl.run(["--data", "jobid=\(id)&fields=status", "\(url)/jobinfo"]).body.contains("running") })
        // The terminal closes: its process group gets SIGHUP. The server and its job go on.
        kill(-started.pgid, SIGHUP)
        #expect(Curl.run(["\(url)/health"]).body == "ok\n")
        #expect(Curl.run(["--data", "jobid=\(id)&fields=status", "\(url)/jobinfo"]).body.contains("running"))

        // A second --detach on the same database is told where the first one is.
        let second = try inShell(["serve", "--detach", "-p", "0", "--dbfile", database], directory: directory)
        #expect(second.status == 1 && second.stderr.contains("already runs") && second.stderr.contains("pid \(pid)"), "\(second)")

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
        let failed = try inShell(["serve", "--detach", "-p", "0", "--dbfile", server.databasePath], directory: server.directory)
        #expect(failed.status == 1 && failed.stdout.isEmpty && failed.stderr.contains("is in use by another jobsched server"), "\(failed)")
    }

    @Test func theClientSaysHowToStartOneInTheBackground() throws {
        let directory = try ScratchDirectory()
        // Nothing listens at the default address (an idle machine's 4321): the client's advice.
        guard Curl.run(["-m", "2", "http://127.0.0.1:4321/health"]).status == 0 else { return }
        let result = try ClientProcess.run(["add", "--", "true"], server: nil, directory: directory)
        #expect(result.status == 125 && result.stderr.contains("start one with `jobsched serve --detach`"), "\(result)")
    }
}
