import Foundation
import Glibc
import Testing

/// The client subcommands of the real binary against a real server.
@Suite("Integration: the jobsched command-line client", .serialized)
struct ClientIntegrationTests {
    private func jobsched(_ arguments: String..., server: ServerProcess, environment: [String: String] = [:]) throws -> ClientResult {
        try ClientProcess.run(arguments, server: server, environment: environment)
    }

    @Test func addListShowLogWaitRemove() throws {
        let server = try ServerProcess()
        let added = try jobsched("add", "-n", "hello", "-g", "greet", "--", "echo", "hi there", server: server)
        #expect(added.status == 0 && added.stdout == "job 1 added\n", "\(added)")
        let quiet = try jobsched("add", "-q", "-g", "greet", "exit 4", server: server)
        #expect(quiet.status == 0 && quiet.stdout == "2\n", "\(quiet)")

        let waited = try jobsched("wait", "1", "2", server: server)
        #expect(waited.status == 1, "job 2 exited 4: \(waited)")
        #expect(waited.stdout == "job 1 success returncode=0\njob 2 success returncode=4\n")
        #expect(try jobsched("wait", "1", server: server).status == 0)

        let table = try jobsched("ls", server: server)
        #expect(table.status == 0 && table.stdout.hasPrefix("ID  NAME   GROUP  STATUS   RC  STARTED"), "\(table)")
        #expect(table.stdout.contains("echo 'hi there'") && !table.stdout.contains("\u{1b}["), "piped: no colour")
        let nonzero = try jobsched("status", "--nonzero", server: server).stdout.split(separator: "\n")
        #expect(nonzero.count == 2 && nonzero[1].hasPrefix("2 "), "\(nonzero)")
        let json = try JSONSerialization.jsonObject(with: Data(try jobsched("ls", "--json", "2", server: server).stdout.utf8)) as? [String: Any]
        #expect(((json?["jobs"] as? [[String: Any]])?.first?["returncode"] as? Int) == 4)

        let shown = try jobsched("show", "1", server: server)
        for field in ["NAME          hello", "COMMAND       echo 'hi there'", "CWD           \(server.directory.path)", "CPU USER", "MAX RSS"] {
            #expect(shown.stdout.contains(field), "\(field) in \(shown)")
        }
        #expect(try jobsched("log", "1", server: server).stdout == "hi there\n")

        let groups = try jobsched("groups", server: server).stdout
        // Aligned, as ls is: every column starts where its title does.
        let lines = groups.split(separator: "\n").map(String.init)
        let greet = try #require(lines.first { $0.hasPrefix("greet ") }, "\(groups)")
        #expect(greet.split(separator: " ") == ["greet", "-", "0", "0", "0", "1", "1", "0", "0", "2/2"], "\(groups)")
        for title in ["limit", "queued", "nonzero", "done"] {
            let column = try #require(lines[0].range(of: title)).lowerBound.utf16Offset(in: lines[0])
            #expect(lines.dropFirst().allSatisfy { Array($0.utf8)[column - 1] == UInt8(ascii: " ") && Array($0.utf8)[column] != UInt8(ascii: " ") },
                    "\(title) at \(column): \(groups)")
        }
        #expect(try jobsched("rm", "1", "2", server: server).status == 0)
        let gone = try jobsched("show", "1", server: server)
        #expect(gone.status == 125 && gone.stderr == "jobsched: unknown job id 1\n", "\(gone)")
    }

    /// What the user's shell split is quoted again, and runs as typed.
    @Test func awkwardArgumentsRunAsTyped() throws {
        let server = try ServerProcess()
        let words = ["a b", "it's", "$HOME", "*", "", "x\ny", "\"q\"", "semi;colon", "back\\slash", "ünï"]
        let run = try ClientProcess.run(["run", "--", "printf", "[%s]\\n"] + words, server: server, directory: server.directory)
        #expect(run.status == 0 && run.stdout == words.map { "[\($0)]\n" }.joined(), "\(run)")
        // One word is a bash line as it is.
        let line = try jobsched("run", "echo one && echo two | tr a-z A-Z", server: server)
        #expect(line.stdout == "one\nTWO\n", "\(line)")
        // The command's own options are its own, with or without --. (Output
        // that does not end with a newline gets one, as in curl's sync reply.)
        #expect(try jobsched("run", "echo", "-n", "x", server: server).stdout == "x\n")
        #expect(try jobsched("run", "-n", "named", "--", "echo", "-e", "--", server: server).stdout == "--\n")
    }

    @Test func runExitsAsTheJobDid() throws {
        let server = try ServerProcess()
        let three = try jobsched("run", "--", "bash", "-c", "echo out; echo err >&2; exit 3", server: server)
        #expect(three.status == 3 && three.stdout == "out\nerr\n", "\(three)")
        #expect(three.stderr == "jobsched: job 1 success returncode=3\n")
        let zero = try jobsched("run", "true", server: server)
        #expect(zero.status == 0 && zero.stdout.isEmpty && zero.stderr.isEmpty, "\(zero)")
        let signalled = try jobsched("run", "kill -9 $$", server: server)
        #expect(signalled.status == 128 + 9, "\(signalled)")
        let timedOut = try jobsched("run", "--timeout", "1", "--", "sleep", "60", server: server)
        #expect(timedOut.status == 124 && timedOut.stderr.contains("killed returncode=-15"), "\(timedOut)")
        let noStart = try jobsched("run", "--cwd", "/nonexistent-dir", "--", "true", server: server)
        #expect(noStart.status == 126 && noStart.stderr.contains("failed"), "\(noStart)")
        let refused = try jobsched("run", "--priority", "x", "true", server: server)
        #expect(refused.status == 125 && refused.stderr.contains("priority"), "\(refused)")
    }

    @Test func ctrlCOnRunKillsTheJob() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        let client = try ClientProcess(["run", "echo started; cat \(gate.path); sleep 300"], server: server, directory: server.directory)
        #expect(eventually { client.stdoutSoFar == "started\n" })
        kill(client.process.processIdentifier, SIGINT)
        #expect(client.finish().status == 128 + SIGINT)
        #expect(eventually { (try? server.job(1))?["status"] as? String == "killed" })
    }

    @Test func followStreamsThenSaysHowTheJobEnded() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        _ = try jobsched("add", "echo first; cat \(gate.path); echo second; exit 5", server: server)
        let follower = try ClientProcess(["follow", "1"], server: server, directory: server.directory)
        #expect(eventually { follower.stdoutSoFar == "first\n" })
        try gate.open("go")
        let followed = follower.finish()
        #expect(followed.status == 5 && followed.stdout == "first\ngo\nsecond\n", "\(followed)")
        #expect(followed.stderr == "jobsched: job 1 success returncode=5\n")
    }

    @Test func waitForAGroupAndEditAQueuedJob() throws {
        let server = try ServerProcess(["-j", "1"])
        #expect(try jobsched("pause", "batch", server: server).status == 0)
        _ = try jobsched("add", "-g", "batch", "--", "echo", "old", server: server)
        let edited = try jobsched("edit", "1", "--priority", "3", "--", "echo", "new words", server: server)
        #expect(edited.status == 0, "\(edited)")
        #expect(try jobsched("resume", "batch", server: server).status == 0)
        #expect(try jobsched("wait", "-g", "batch", server: server).status == 0)
        #expect(try jobsched("log", "1", server: server).stdout == "new words\n")
        let late = try jobsched("edit", "1", "--priority", "1", server: server)
        #expect(late.status == 125 && late.stderr.contains("already"), "\(late)")
        #expect(try jobsched("groups", "batch", "--limit", "2", server: server).stdout.contains("batch  2  "))
    }

    @Test func noServerWrongTokenAndTheUnixSocket() throws {
        let directory = try ScratchDirectory()
        // A port nothing listens on: bind one, then close it.
        let probe = try ServerProcess(directory: directory)
        let port = probe.port
        probe.stop()
        let down = try ClientProcess.run(["ls"], server: nil, directory: directory, environment: ["JOBSCHED_URL": "127.0.0.1:\(port)"])
        #expect(down.status == 125 && down.stderr == "jobsched: no jobsched server at http://127.0.0.1:\(port): start one with `jobsched`\n",
                "\(down)")
        let noSocket = try ClientProcess.run(["ls", "--url", "unix:\(directory.file("none.sock"))"], server: nil, directory: directory)
        #expect(noSocket.status == 125 && noSocket.stderr.hasPrefix("jobsched: no jobsched server at unix:"), "\(noSocket)")

        let tokenFile = directory.file("token")
        try "client-token-0123456789\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let socket = directory.file("j.sock")
        let server = try ServerProcess(["--token-file", tokenFile, "--socket", socket], directory: directory)
        let wrong = try jobsched("ls", server: server, environment: ["JOBSCHED_TOKEN": "wrong-token-0123456789"])
        #expect(wrong.status == 125 && wrong.stderr == "jobsched: missing or wrong token; give --token-file FILE or set JOBSCHED_TOKEN\n", "\(wrong)")
        #expect(try jobsched("ls", server: server).status == 125)
        let right = try jobsched("add", "-q", "--token-file", tokenFile, "true", server: server)
        #expect(right.status == 0 && right.stdout == "1\n", "\(right)")
        let overSocket = try jobsched("wait", "1", "--url", "unix:\(socket)", server: server,
                                      environment: ["JOBSCHED_TOKEN": "client-token-0123456789"])
        #expect(overSocket.status == 0 && overSocket.stdout == "job 1 success returncode=0\n", "\(overSocket)")
    }

    @Test func usageErrorsAndHelp() throws {
        let server = try ServerProcess()
        let unknown = try jobsched("add", "--bogus", "x", server: server)
        #expect(unknown.status == 64 && unknown.stderr.hasPrefix("jobsched add: unknown option '--bogus'"), "\(unknown)")
        #expect(try jobsched("kill", server: server).status == 64)
        let help = try jobsched("run", "--help", server: server)
        #expect(help.status == 0 && help.stdout.hasPrefix("USAGE: jobsched run [options] [--] COMMAND...") && help.stdout.contains("--timeout <duration>"))
        // It names the commit it was built from: this checkout's.
        let version = try jobsched("--version", server: server)
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        let head = try runToEnd("/usr/bin/git", ["-C", checkout, "rev-parse", "--short=12", "HEAD"]).stdout.dropLast()
        #expect(version.status == 0 && version.stdout.hasPrefix("jobsched 0.16.0 (\(head)"), "\(version.stdout)")
        let completion = try jobsched("completion", server: server)
        #expect(completion.stdout.contains("complete -o default -F _jobsched jobsched") && completion.stdout.contains("--retry-delay"))
        #expect(try jobsched("--help", server: server).stdout.contains("follow"))
        // Nothing reached the server.
        #expect(try jobsched("ls", server: server).stdout == "ID  NAME  GROUP  STATUS  RC  STARTED  RUNTIME  COMMAND\n")
    }
}
