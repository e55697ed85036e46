import Foundation
import Glibc
import Testing

/// The client against servers that are not jobsched: ones that never answer,
/// never end a reply or a line, or say what no jobsched server says. It must
/// give up in time, with bounded memory, and never take such a reply for a
/// job's id or a job's exit status.
@Suite("Integration: the client against servers that misbehave", .serialized)
struct HostileServerTests {
    /// Far more than the client needs (its address space is about 30 MB), far
    /// less than a reply held whole.
    private static let addressSpace = ClientProcess.addressSpace(256 << 20)

    private static let chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

    private static func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }

    /// `jobsched SUBCOMMAND --url URL OPTIONS... REST...`, to its end.
    private static func client(_ subcommand: String, _ server: HostileServer, _ rest: [String] = [], options: [String] = [],
                               in directory: ScratchDirectory, timeout: Double = 30) throws -> (result: ClientResult, seconds: Double) {
        let started = Date()
        let result = try ClientProcess.run([subcommand, "--url", server.url] + options + rest, server: nil, directory: directory,
                                           launcher: addressSpace, timeout: timeout)
        return (result, Date().timeIntervalSince(started))
    }

    /// The peak RSS (kB) of a client reading an endless reply, once it has
    /// read 512 MiB of it; nil when it died or stopped reading before.
    private static func peakAfterReading512MiB(_ client: ClientProcess) -> Int? {
        let read = { client.procValue("io", "rchar") ?? 0 }
        guard eventually(timeout: 120, { !client.process.isRunning || read() > 1 << 29 }), read() > 1 << 29 else { return nil }
        return client.procValue("status", "VmHWM")
    }

    @Test func aServerThatNeverAnswersIsGivenUpOn() throws {
        let directory = try ScratchDirectory()
        let silent = try HostileServer { connection in
            connection.readRequest()
            connection.holdUntilClientCloses()
        }
        for (subcommand, rest) in [("ls", []), ("add", ["true"]), ("run", ["true"]), ("follow", ["1"]), ("show", ["1"]), ("kill", ["1"])] {
            let (result, seconds) = try Self.client(subcommand, silent, rest, options: ["--server-timeout", "1"], in: directory, timeout: 15)
            #expect(result.status == 125 && result.stderr == "jobsched: the server at http://127.0.0.1:\(silent.port) did not start its reply within 1s (see --server-timeout)\n",
                    "\(subcommand): \(result)")
            #expect(seconds >= 1 && seconds < 10, "\(subcommand) took \(seconds) s")
        }
        // wait's reply comes when its jobs end: after its --timeout, if given ...
        let (waited, seconds) = try Self.client("wait", silent, ["1"], options: ["--timeout", "1", "--server-timeout", "1"], in: directory, timeout: 15)
        #expect(waited.status == 125 && waited.stderr.contains("did not start its reply within 2s"), "\(waited)")
        #expect(seconds >= 2 && seconds < 10, "wait took \(seconds) s")
        // ... else whenever that is.
        let waiting = try ClientProcess(["wait", "--url", silent.url, "--server-timeout", "1", "1"], server: nil, directory: directory)
        usleep(3_000_000)  // three times the timeout: nothing is to happen
        #expect(waiting.process.isRunning, "\(waiting.finish())")
    }

    /// A listen queue that stays full (a server that stopped accepting): the
    /// connect itself is timed, over TCP and over the Unix socket.
    @Test func aConnectionNotTakenIsGivenUpOn() throws {
        let directory = try ScratchDirectory()
        for socketPath in [nil, directory.file("full.sock")] {
            let full = try HostileServer(socketPath: socketPath, accepting: false) { _ in }
            try full.fillListenQueue()
            let (result, seconds) = try Self.client("ls", full, options: ["--server-timeout", "1"], in: directory, timeout: 15)
            #expect(result.status == 125 && result.stderr.hasSuffix("did not take the connection within 1s (see --server-timeout)\n"),
                    "\(full.url): \(result)")
            #expect(seconds >= 1 && seconds < 10, "\(full.url): took \(seconds) s")
        }
    }

    /// A body that does not come: a reply the client reads or lists is given
    /// up on; a job's live output may be silent for longer than that.
    @Test func aStalledReplyIsGivenUpOnButASilentJobIsNot() throws {
        let directory = try ScratchDirectory()
        let stalling = try HostileServer { connection in
            connection.readRequest()
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nID  NAME\n")
            connection.holdUntilClientCloses()
        }
        let (listed, seconds) = try Self.client("ls", stalling, options: ["--server-timeout", "1"], in: directory, timeout: 15)
        #expect(listed.status == 125 && listed.stderr.hasSuffix("did not send more of its reply within 1s (see --server-timeout)\n"), "\(listed)")
        #expect(listed.stdout == "ID  NAME\n" && seconds < 10, "printed as it came: \(listed), \(seconds) s")

        let silentJob = try HostileServer { connection in
            connection.readRequest()
            connection.send(Self.chunkedHead + Self.chunk("7\n") + Self.chunk("started\n"))
            usleep(3_000_000)  // the job prints nothing for three times the timeout
            connection.send(Self.chunk("jobsched: job 7 success returncode=3\n") + "0\r\n\r\n")
            connection.finish()
        }
        let (ran, _) = try Self.client("run", silentJob, ["true"], options: ["--server-timeout", "1"], in: directory)
        #expect(ran.status == 3 && ran.stdout == "started\n" && ran.stderr == "jobsched: job 7 success returncode=3\n", "\(ran)")
    }

    /// Replies that never end: what the client reads is cut at 64 KiB; what it
    /// prints passes through in constant memory.
    @Test func anEndlessReplyIsNeverHeld() throws {
        let directory = try ScratchDirectory()
        let block = String(repeating: "7", count: 65_536)
        let endless = try HostileServer { connection in
            connection.readRequest()
            connection.send(Self.chunkedHead)
            connection.sendForever(Self.chunk(block))
        }
        let (added, seconds) = try Self.client("add", endless, ["true"], in: directory)
        #expect(added.status == 76 && added.stdout.isEmpty, "\(added)")
        #expect(added.stderr == "jobsched: bad reply from http://127.0.0.1:\(endless.port): a reply longer than 65536 bytes where a short one was due\n",
                "\(added)")
        #expect(seconds < 10, "took \(seconds) s")

        let refusing = try HostileServer { connection in
            connection.readRequest()
            connection.send("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n" + Self.chunk("Error: "))
            connection.sendForever(Self.chunk("unknown job id 1, "))
        }
        let (refused, _) = try Self.client("ls", refusing, in: directory)
        #expect(refused.status == 125 && refused.stderr.hasPrefix("jobsched: unknown job id 1, unknown job id 1,"), "\(refused)")
        #expect(refused.stderr.hasSuffix("… (cut at 65536 bytes)\n") && refused.stderr.utf8.count < 66_000, "\(refused.stderr.utf8.count) bytes")

        // ls prints its reply as it comes, however long.
        let lister = try ClientProcess(["ls", "--url", endless.url], server: nil, directory: directory, launcher: Self.addressSpace,
                                       discardingStdout: true)
        let peakKB = Self.peakAfterReading512MiB(lister)
        #expect(peakKB.map { $0 < 64 << 10 } == true, "peak RSS \(peakKB.map(String.init) ?? "-") kB: \(lister.finish())")
    }

    /// Lines that never end: the head, a chunk-size line, the id line that
    /// starts a run's reply, and a job's own line that begins as the status line.
    @Test func anEndlessLineIsRefusedOrPassedOn() throws {
        let directory = try ScratchDirectory()
        let cases: [(what: String, start: String, forever: String, subcommand: String, stderr: String)] = [
            ("head", "HTTP/1.1 200 OK\r\n", "X-Padding: 0123456789\r\n", "ls", "the response head is longer than 65536 bytes"),
            ("chunk-size line", Self.chunkedHead, String(repeating: "f", count: 4096), "ls", "a chunk-size line is longer than 1024 bytes"),
            ("id line", Self.chunkedHead, Self.chunk(String(repeating: "1", count: 4096)), "run", "expected a job id, got '1111"),
        ]
        for entry in cases {
            let endless = try HostileServer { connection in
                connection.readRequest()
                connection.send(entry.start)
                connection.sendForever(entry.forever)
            }
            let (result, seconds) = try Self.client(entry.subcommand, endless, entry.subcommand == "run" ? ["true"] : [], in: directory)
            #expect(result.status == 76 && result.stderr.contains(entry.stderr), "\(entry.what): \(result)")
            #expect(seconds < 10, "\(entry.what): took \(seconds) s")
        }

        // A job that prints `jobsched: job ` and then never a newline: its output, all of it.
        let printing = try HostileServer { connection in
            connection.readRequest()
            connection.send(Self.chunkedHead + Self.chunk("7\n") + Self.chunk("jobsched: job "))
            connection.sendForever(Self.chunk(String(repeating: "x", count: 65_536)))
        }
        let runner = try ClientProcess(["run", "--url", printing.url, "true"], server: nil, directory: directory, launcher: Self.addressSpace,
                                       discardingStdout: true)
        let peakKB = Self.peakAfterReading512MiB(runner)
        #expect(peakKB.map { $0 < 64 << 10 } == true, "peak RSS \(peakKB.map(String.init) ?? "-") kB: \(runner.finish())")
    }

    /// What a reply must not be taken for.
    struct BadReplyCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let reply: String
        let status: Int32
        let stderr: String
        var testDescription: String { arguments.joined(separator: " ") + ": " + stderr }
    }

    private static func sized(_ body: String, status: String = "200 OK") -> String {
        "HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    private static func streamed(_ body: String) -> String { chunkedHead + chunk(body) + "0\r\n\r\n" }

    static let badReplies: [BadReplyCase] = [
        BadReplyCase(arguments: ["add", "true"], reply: sized(#"{"jobs": [{"jobid": "#), status: 76,
                     stderr: #"expected a job id, got '{"jobs": [{"jobid": '"#),
        BadReplyCase(arguments: ["add", "-q", "true"], reply: sized("0\n"), status: 76, stderr: #"expected a job id, got '0\n'"#),
        BadReplyCase(arguments: ["restart", "5"], reply: sized("12 13\n"), status: 76, stderr: "expected a job id, got '12 13\\n'"),
        BadReplyCase(arguments: ["run", "true"], reply: streamed("1\njobsched: job 1 success returncode=256\n"), status: 76,
                     stderr: "no job can end as 'job 1 success returncode=256'"),
        BadReplyCase(arguments: ["run", "true"], reply: streamed("1\njobsched: job 1 success returncode=-200\n"), status: 76,
                     stderr: "no job can end as 'job 1 success returncode=-200'"),
        BadReplyCase(arguments: ["run", "true"], reply: streamed("1\nhi\njobsched: job 2 success returncode=0\n"), status: 76,
                     stderr: "the reply about job 1 ends with how job 2 ended"),
        BadReplyCase(arguments: ["follow", "4"], reply: streamed("out\njobsched: job 4 running returncode=-\n"), status: 76,
                     stderr: "no job can end as 'job 4 running returncode=-'"),
        BadReplyCase(arguments: ["wait", "1"], reply: sized("job 1 success returncode=256\n"), status: 76,
                     stderr: "expected how a job ended, such as 'job 12 success returncode=0', got 'job 1 success returncode=256'"),
        BadReplyCase(arguments: ["wait", "1"], reply: sized("job 1 failed returncode=-\n"), status: 76,
                     stderr: "status 200, yet not every job succeeded"),
        BadReplyCase(arguments: ["wait", "1"], reply: sized("OK\n"), status: 76,
                     stderr: "expected how a job ended, such as 'job 12 success returncode=0', got 'OK'"),
        BadReplyCase(arguments: ["ls"], reply: "SSH-2.0-OpenSSH_9.2p1\r\n\r\n", status: 76, stderr: "not an HTTP response: SSH-2.0-OpenSSH_9.2p1"),
        // Not a bad reply, a refusal: but its text must not drive the terminal.
        BadReplyCase(arguments: ["ls"], reply: sized("Error: \u{1b}[2J\u{1b}]0;owned\u{07}gone\n", status: "400 Bad Request"), status: 125,
                     stderr: "\\u001b[2J\\u001b]0;owned\\u0007gone"),
    ]

    @Test(arguments: badReplies)
    func aReplyNoJobschedSendsIsNeverBelieved(_ entry: BadReplyCase) throws {
        let directory = try ScratchDirectory()
        let server = try HostileServer { connection in
            connection.readRequest()
            connection.send(entry.reply)
            connection.finish()
        }
        let (result, _) = try Self.client(entry.arguments[0], server, Array(entry.arguments.dropFirst()), in: directory)
        let prefix = entry.status == 76 ? "jobsched: bad reply from http://127.0.0.1:\(server.port): " : "jobsched: "
        #expect(result.status == entry.status && result.stderr == prefix + entry.stderr + "\n", "\(result)")
        #expect(!result.stdout.contains("job") || entry.arguments[0] == "wait", "nothing is taken for an id: \(result)")
    }
}
