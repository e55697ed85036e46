import Testing
@testable import JobSchedAPI
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: the command-line client's parsing, requests and replies")
struct ClientUnitTests {
    // MARK: Command lines

    private static func parse(_ subcommand: ClientSubcommand, _ args: [String]) throws(CommandLineError) -> ClientCommandLine {
        try ClientCommandLine(parsing: args, options: subcommand.options, commandFollows: subcommand.takesCommand)
    }

    /// The form a command line sends, as the server decodes it.
    private static func sent(_ subcommand: ClientSubcommand, _ args: [String], color: Bool = false,
                             width: Int? = nil) throws -> [(String, String)] {
        let form = try subcommand.form(parse(subcommand, args), directory: "/home/u/src", color: color, width: width)
        return try FormDecoding.decodeURLEncoded(Array(form.text.utf8))
    }

    @Test func optionsValuesAndTheCommand() throws {
        let line = try Self.parse(.add, ["-n", "build", "--group=ci", "-q", "--priority", "-5", "-eA=1", "--", "make", "-j2"])
        #expect(line.value("name") == "build" && line.value("group") == "ci" && line.has("quiet"))
        #expect(line.value("priority") == "-5" && line.value("env") == "A=1")
        #expect(line.arguments == ["make", "-j2"])
        // The first word that is not an option starts the command: its own options stay its own.
        #expect(try Self.parse(.run, ["-g", "x", "echo", "-n", "hi", "--", "x"]).arguments == ["echo", "-n", "hi", "--", "x"])
        // Other subcommands take options and arguments in any order.
        let wait = try Self.parse(.wait, ["3", "--timeout", "10m", "4"])
        #expect(wait.arguments == ["3", "4"] && wait.value("timeout") == "10m")
    }

    @Test func badCommandLinesSayWhy() {
        #expect(throws: CommandLineError("unknown option '--bogus'")) { try Self.parse(.ls, ["--bogus"]) }
        #expect(throws: CommandLineError("--name needs a value <name>")) { try Self.parse(.add, ["--name"]) }
        #expect(throws: CommandLineError("--unique takes no value")) { try Self.parse(.add, ["--unique=1", "true"]) }
        #expect(throws: CommandLineError("give the command after --, e.g. jobsched add -- make test")) { try Self.sent(.add, ["-n", "x"]) }
        #expect(throws: CommandLineError("a job id is a number such as 12, not 'x'")) { try Self.sent(.kill, ["3", "x"]) }
        #expect(throws: CommandLineError("give one job id, not 2")) { try Self.sent(.show, ["3", "4"]) }
        #expect(throws: CommandLineError("give job ids")) { try Self.sent(.wait, []) }
        #expect(throws: CommandLineError("give a group and --limit or --notify together, e.g. jobsched groups build --limit 2")) {
            try Self.sent(.groups, ["build"])
        }
    }

    @Test func addSendsTheSubmitParameters() throws {
        let pairs = try Self.sent(.add, ["-n", "b", "--unique", "--outlog", "out.txt", "--errlog", "/tmp/e", "--", "grep", "a b", "f"])
        #expect(pairs.map(\.0) == ["name", "unique", "outlog", "errlog", "command", "sync", "cwd"])
        #expect(pairs.map(\.1) == ["b", "1", "/home/u/src/out.txt", "/tmp/e", "grep 'a b' f", "0", "/home/u/src"])
        // And the server reads them as meant.
        let request = try SubmitRequest(Parameters(pairs, for: .submit))
        #expect(request.command == "grep 'a b' f" && !request.sync && request.unique && request.cwd == "/home/u/src")
        #expect(try Self.sent(.run, ["--cwd", "sub", "true"]).filter { $0.0 == "cwd" || $0.0 == "sync" }.map(\.1) == ["/home/u/src/sub", "1"])
    }

    @Test func listingAsksForTheTable() throws {
        // Into a pipe, the widest table: whole lines.
        #expect(try Self.sent(.ls, []).map { "\($0)=\($1)" } == ["all=1", "view=table", "width=1000000"])
        #expect(try Self.sent(.ls, ["-a", "--last", "5", "7"], color: true, width: 80).map { "\($0)=\($1)" }
                    == ["jobid=7", "sort=-jobid", "limit=5", "view=table", "color=1", "width=80"])
        #expect(try Self.sent(.ls, ["--status", "failed", "--nonzero", "--json"]).map { "\($0)=\($1)" }
                    == ["status=failed", "returncode=nonzero", "format=json"])
        #expect(try Self.sent(.show, ["12"]).map { "\($0)=\($1)" } == ["jobid=12", "view=record"])
    }

    /// The declarations cannot drift from the server's API: every parameter a
    /// client option sets is one its endpoint takes.
    @Test(arguments: ClientSubcommand.allCases)
    func everyOptionIsAParameterOfItsEndpoint(subcommand: ClientSubcommand) {
        let accepted = Set(subcommand.endpoint.parameters.map(\.name))
        for option in subcommand.options {
            guard let parameter = option.parameter else { continue }
            #expect(accepted.contains(parameter), "jobsched \(subcommand.rawValue) --\(option.long) sets \(parameter)")
        }
        for option in subcommand.options {
            #expect(!subcommand.help(for: option).isEmpty, "jobsched \(subcommand.rawValue) --\(option.long) has no help")
        }
        let longs = subcommand.options.map(\.long), shorts = subcommand.options.compactMap(\.short)
        #expect(Set(longs).count == longs.count && Set(shorts).count == shorts.count, "\(subcommand)")
        #expect(ClientHelp.usage(subcommand).contains("--url <url>"))
    }

    // MARK: Quoting

    @Test func wordsAreQuotedForBash() {
        #expect(ShellWords.commandLine(["make && make test"]) == "make && make test")
        #expect(ShellWords.commandLine(["grep", "a b", "file"]) == "grep 'a b' file")
        #expect(ShellWords.commandLine(["echo", "it's", "$HOME", "*", ""]) == #"echo 'it'\''s' '$HOME' '*' ''"#)
        #expect(ShellWords.commandLine(["FOO=1", "env", "a\nb"]) == "FOO=1 env 'a\nb'")
    }

    // MARK: Addresses

    @Test func serverAddresses() throws {
        #expect(try ServerAddress(parsing: "http://10.0.0.2:8080/") == .tcp(host: "10.0.0.2", port: 8080))
        #expect(try ServerAddress(parsing: ":5000") == .tcp(host: "127.0.0.1", port: 5000))
        #expect(try ServerAddress(parsing: "box") == .tcp(host: "box", port: 4321))
        #expect(try ServerAddress(parsing: "[::1]:9") == .tcp(host: "::1", port: 9))
        #expect(try ServerAddress(parsing: "unix:/run/j.sock") == .unix(path: "/run/j.sock"))
        #expect(try ServerAddress(parsing: "./j.sock") == .unix(path: "./j.sock"))
        #expect(ServerAddress.tcp(host: "::1", port: 9).description == "http://[::1]:9")
        #expect(throws: CommandLineError.self) { try ServerAddress(parsing: "host:99999") }
        #expect(try ServerAddress(parsing: "https://host") == .https(host: "host", port: 4321))
        #expect(try ServerAddress(parsing: "https://[::1]:8443/") == .https(host: "::1", port: 8443))
        #expect(ServerAddress.https(host: "::1", port: 9).description == "https://[::1]:9")
        #expect(throws: CommandLineError.self) { try ServerAddress(parsing: "https://host:0") }
    }

    @Test func fingerprintsAreReadAsPeopleWriteThem() {
        let hex = String(repeating: "0a", count: 32)
        #expect(TLSFingerprint.normalized(hex) == hex)
        #expect(TLSFingerprint.normalized(TLSFingerprint.display(hex)) == hex)
        #expect(TLSFingerprint.display("ab12cd") == "AB:12:CD")
        #expect(TLSFingerprint.normalized(String(hex.dropLast())) == nil && TLSFingerprint.normalized(String(repeating: "zz", count: 32)) == nil)
        #expect(TLSFingerprint.subjectAltNames(["0.0.0.0", "127.0.0.1", "::1", "localhost", "Box", "box", "10.1.2.3"])
                == "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:Box,IP:10.1.2.3")
        #expect(TLSFingerprint.isAddress("10.0.0.1") && !TLSFingerprint.isAddress("10.0.0.256") && !TLSFingerprint.isAddress("host.lan"))
    }

    @Test func formBodiesEscapeEverythingButTheUnreserved() throws {
        var form = FormBody()
        form.add("command", "a&b=c %+é\n")
        form.add("skipped", nil)
        #expect(form.text == "command=a%26b%3Dc%20%25%2B%C3%A9%0A")
        #expect(try FormDecoding.decodeURLEncoded(Array(form.text.utf8)).map(\.1) == ["a&b=c %+é\n"])
    }

    // MARK: Replies

    @Test func aStreamedReplyIsSplitIntoOutputAndHowTheJobEnded() throws {
        var stream = StreamedOutput(following: nil)
        var output: [UInt8] = []
        for piece in ["1", "2\nhel", "lo\njobsched: job 3 success returncode=0\nmore\njob", "sched: job 12 killed returncode=-15\n"] {
            output += try stream.take(Array(piece.utf8))
        }
        let (rest, end) = try stream.finish()
        // The job's own line that looks like a status line is output: more came after it.
        #expect(String(decoding: output + rest, as: UTF8.self) == "hello\njobsched: job 3 success returncode=0\nmore\n")
        #expect(end == JobEndReport(id: 12, status: .killed, returncode: -15) && stream.jobID == 12)
        #expect(end?.trailer == "jobsched: job 12 killed returncode=-15")

        var cut = StreamedOutput(following: 7)
        let held = try cut.take(Array("partial\njobsched: job".utf8))
        let (tail, noEnd) = try cut.finish()
        #expect(String(decoding: held + tail, as: UTF8.self) == "partial\njobsched: job" && noEnd == nil)
    }

    /// What a stream holds back stays small, and its id line and its last line must agree.
    @Test func aStreamedReplyIsHeldToAStatusLine() throws {
        // A job's line that starts as a status line and goes on is output once it is too long to be one.
        var stream = StreamedOutput(following: 7)
        #expect(try stream.take(Array("jobsched: job ".utf8)).isEmpty)
        let long = Array(repeating: UInt8(ascii: "x"), count: StreamedOutput.maxStatusLineBytes)
        #expect(try stream.take(long).count == 14 + long.count)

        // The id line: digits, and no longer than an id.
        var noID = StreamedOutput(following: nil)
        #expect(try noID.take(Array("1234567890".utf8)).isEmpty, "an id line may come in pieces")
        #expect(throws: BadReply("expected a job id, got '12345678901234567890'")) { try noID.take(Array("1234567890".utf8)) }
        var notAnID = StreamedOutput(following: nil)
        #expect(throws: BadReply("expected a job id, got '{\"a\\n'")) { try notAnID.take(Array("{\"a\nout".utf8)) }

        var other = StreamedOutput(following: 3)
        _ = try other.take(Array("out\njobsched: job 4 success returncode=0\n".utf8))
        #expect(throws: BadReply("the reply about job 3 ends with how job 4 ended")) { try other.finish() }
    }

    @Test func statusLinesReadBack() {
        #expect(JobEndReport(line: "job 4 failed returncode=-") == JobEndReport(id: 4, status: .failed, returncode: nil))
        #expect(JobEndReport(line: "jobsched: job 4 success returncode=2\n")?.succeeded == false)
        #expect(JobEndReport(line: "job 4 success returncode=0")?.succeeded == true)
        #expect(JobEndReport(line: "job x success returncode=0") == nil && JobEndReport(line: "job 4 done returncode=0") == nil)
    }

    /// run and follow exit as the job did, as a shell would say it; never 0
    /// (nor any other job's status) for an end no job can have.
    @Test func exitStatusesAreWhatTheJobCouldHaveHad() {
        func status(_ line: Substring) -> Int32? { JobEndReport(line: line).flatMap(ClientExit.status) }
        #expect(status("job 1 success returncode=0") == 0)
        #expect(status("job 1 success returncode=255") == 255)
        #expect(status("job 1 success returncode=-9") == 137)
        #expect(status("job 1 success returncode=-64") == 192)
        #expect(status("job 1 killed returncode=-15") == ClientExit.killed)
        #expect(status("job 1 killed returncode=-") == ClientExit.killed)
        #expect(status("job 1 failed returncode=-") == ClientExit.couldNotStart)
        for impossible in ["job 1 success returncode=256", "job 1 success returncode=-65", "job 1 success returncode=2147483647",
                           "job 1 success returncode=-", "job 1 running returncode=-", "job 1 queued returncode=-",
                           "job 1 killed returncode=512"] {
            #expect(status(Substring(impossible)) == nil, "\(impossible)")
        }
    }

    @Test func jobIDRepliesAreDigits() throws {
        #expect(try JobIDReply.id(Array("12\n".utf8)[...]) == 12)
        #expect(try JobIDReply.id(Array("9223372036854775807".utf8)[...]) == .max)
        for reply in ["", "\n", "0\n", "-1\n", "+1\n", "1 2\n", "12\n\n", "9223372036854775808\n", "{\"jobs\": [{\"jobid\": ", "١٢\n"] {
            #expect(throws: BadReply.self, "\(reply)") { try JobIDReply.id(Array(reply.utf8)[...]) }
        }
    }

    @Test func aWaitReplyMustAgreeWithItsStatus() throws {
        func check(_ pieces: [String], status: Int) throws -> (String, Bool) {
            var reply = WaitReply()
            var printed: [UInt8] = []
            for piece in pieces { printed += try reply.take(Array(piece.utf8)) }
            return (String(decoding: printed, as: UTF8.self), try reply.finish(status: status))
        }
        #expect(try check(["job 1 success returncode=0\njob 2 succ", "ess returncode=0\n"], status: 200)
                    == ("job 1 success returncode=0\njob 2 success returncode=0\n", true))
        #expect(try check(["job 1 success returncode=0\njob 2 running returncode=-\n"], status: 409).1 == false)
        #expect(try check([], status: 200).1 == true, "an empty group")
        #expect(throws: BadReply("status 200, yet not every job succeeded")) { try check(["job 2 killed returncode=-15\n"], status: 200) }
        #expect(throws: BadReply("status 409, yet every job succeeded")) { try check(["job 2 success returncode=0\n"], status: 409) }
        #expect(throws: BadReply("the reply ends inside a line: 'job 2'")) { try check(["job 2"], status: 200) }
        #expect(throws: BadReply.self) { try check(["job 1 success returncode=256\n"], status: 409) }
        #expect(throws: BadReply("expected how a job ended, got a line longer than 128 bytes")) {
            try check([String(repeating: "j", count: 100), String(repeating: "j", count: 100)], status: 200)
        }
    }

    /// `kill`, `rm`, `pause`, `resume`: lines the server could not act on go to
    /// stderr and are counted, whatever pieces the reply comes in.
    @Test(arguments: [1, 3, 1000])
    func resultLinesSendErrorsAndUnusedGroupsToStderr(pieceSize: Int) {
        let reply = "Job 1 has been killed\nError: job 2 has already finished (success)\nJob 3 has been killed\n"
            + "Paused group typo: no job has used it yet\nError: job 4 is running; kill it first"
        var lines = ResultLines()
        var out: [UInt8] = []
        var err: [UInt8] = []
        let bytes = Array(reply.utf8)
        for start in stride(from: 0, to: bytes.count, by: pieceSize) {
            let sorted = lines.take(Array(bytes[start..<min(bytes.count, start + pieceSize)]))
            out += sorted.out
            err += sorted.err
        }
        let last = lines.finish()
        out += last.out
        err += last.err
        #expect(String(decoding: out, as: UTF8.self) == "Job 1 has been killed\nJob 3 has been killed\n")
        #expect(String(decoding: err, as: UTF8.self) == "Error: job 2 has already finished (success)\n"
            + "Paused group typo: no job has used it yet\nError: job 4 is running; kill it first\n")
        #expect(lines.errors == 2)
    }

    /// The server's messages in the client's terms: its flags, not HTTP parameters (issue 28, item 8).
    @Test func messagesSpeakInFlags() {
        #expect(ClientSubcommand.log.inItsTerms("job 3's stdout went to the file '/x'; its stderr is kept: add stream=stderr")
                == "job 3's stdout went to the file '/x'; its stderr is kept: add --stream stderr")
        #expect(ClientSubcommand.ls.inItsTerms("limit must be an integer from 0 to 100000, not 'x'")
                == "--last must be an integer from 0 to 100000, not 'x'")
        #expect(ClientSubcommand.add.inItsTerms("retry_delay must be a duration such as 90, not 'x'")
                == "--retry-delay must be a duration such as 90, not 'x'")
        #expect(ClientSubcommand.groups.inItsTerms("missing required parameter 'limit' (with name)") == "missing required option --limit (with name)")
        #expect(ClientSubcommand.add.inItsTerms("missing or wrong token; send 'Authorization: Bearer TOKEN'")
                == "missing or wrong token; give --token-file FILE or set JOBSCHED_TOKEN")
        #expect(ClientSubcommand.log.inItsTerms("unknown job id 5; xstream=1 stays") == "unknown job id 5; xstream=1 stays")
    }

    /// A line longer than a message is never held whole: its start goes out, and the rest after it.
    @Test func resultLinesHoldNoLongLine() {
        var lines = ResultLines()
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: ResultLines.maxHeldBytes + 10)
        let first = lines.take(long)
        #expect(first.out.count == long.count && first.err.isEmpty)
        let second = lines.take(Array("yy\nError: job 2 is running; kill it first\n".utf8))
        #expect(String(decoding: second.out, as: UTF8.self) == "yy\n" && lines.errors == 1)
        #expect(String(decoding: second.err, as: UTF8.self) == "Error: job 2 is running; kill it first\n")
    }

    @Test func theServersMessageIsOneHarmlessLine() {
        #expect(ServerMessage.line(status: 404, reply: Array("Error: unknown job id 9\n".utf8), isCut: false) == "unknown job id 9")
        #expect(ServerMessage.line(status: 503, reply: [], isCut: false) == "the server answered 503")
        #expect(ServerMessage.line(status: 400, reply: Array("\u{1b}[31mred\r\nline\n".utf8), isCut: false) == "\\u001b[31mred\\r\\nline")
        // Its own escapes stay as the server wrote them.
        #expect(ServerMessage.line(status: 400, reply: Array("not 'a\\tb'".utf8), isCut: true) == "not 'a\\tb'… (cut at 65536 bytes)")
    }

    @Test func theClientWaitsOnItsServerForSoLong() throws {
        func waits(_ subcommand: ClientSubcommand, _ args: [String]) throws -> ServerWaits {
            try ServerWaits(subcommand, Self.parse(subcommand, args))
        }
        let ls = try waits(.ls, [])
        #expect(ls.connect == 30 && ls.head == 30 && ls.bodyStall(status: 200) == 30)
        let run = try waits(.run, ["--server-timeout", "2m", "true"])
        #expect(run.connect == 120 && run.head == 120 && run.bodyStall(status: 200) == nil && run.bodyStall(status: 400) == 120)
        #expect(try waits(.follow, ["1"]).bodyStall(status: 200) == nil)
        #expect(try waits(.wait, ["1"]).head == nil)
        #expect(try waits(.wait, ["1", "--timeout", "10m"]).head == 630)
        #expect(try waits(.wait, ["1", "--timeout", "10", "--server-timeout", "0"]).head == nil)
        let never = try waits(.add, ["--server-timeout", "0", "true"])
        #expect(never.connect == nil && never.head == nil && never.bodyStall(status: 200) == nil)
        #expect(throws: CommandLineError("--server-timeout takes a duration such as 90, 90s, 10m, 1h30m or 2d, not 'soon'")) {
            try waits(.ls, ["--server-timeout", "soon"])
        }
        #expect(ClientHelp.usage(.ls).contains("--server-timeout <duration>") && ClientHelp.bashCompletion.contains("--server-timeout"))
    }

    // MARK: The response decoder

    private static func decode(_ pieces: [String]) throws(HTTPResponseDecoder.DecodingError) -> (Int?, String, Bool) {
        var decoder = HTTPResponseDecoder()
        var body: [UInt8] = []
        for piece in pieces { body += try decoder.feed(ArraySlice(piece.utf8)) }
        let complete = decoder.isComplete
        if !complete { try decoder.finish() }
        return (decoder.status, String(decoding: body, as: UTF8.self), complete)
    }

    @Test func responsesInEachFraming() throws {
        let chunked = try Self.decode(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", "c\r\n1\r", "\nd\r\n0\r\n\r\n"])
        #expect(chunked.0 == 200 && chunked.1 == "abcd" && chunked.2)
        let sized = try Self.decode(["HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nno", "pe!"])
        #expect(sized.0 == 404 && sized.1 == "nope!" && sized.2)
        let empty = try Self.decode(["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
        #expect(empty.0 == 200 && empty.1 == "" && empty.2)
        let closed = try Self.decode(["HTTP/1.0 200 OK\r\n\r\nto the end"])
        #expect(closed.1 == "to the end" && !closed.2)
        #expect(throws: HTTPResponseDecoder.DecodingError.self) { try Self.decode(["HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"]) }
        #expect(throws: HTTPResponseDecoder.DecodingError.self) { try Self.decode(["SSH-2.0-OpenSSH\r\n\r\n"]) }
        #expect(throws: HTTPResponseDecoder.DecodingError.self) { try Self.decode(["HTTP/1.1 999 Odd\r\n\r\n"]) }
    }

    /// However the bytes are split into reads, a line's end is found where it is.
    @Test func aReplyReadsTheSameInPiecesOfAnySize() throws {
        let reply = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nTrailer: x\r\n\r\n"
        for size in 1...9 {
            let bytes = Array(reply.utf8)
            let pieces = stride(from: 0, to: bytes.count, by: size).map { String(decoding: bytes[$0..<min($0 + size, bytes.count)], as: UTF8.self) }
            let decoded = try Self.decode(pieces)
            #expect(decoded.0 == 200 && decoded.1 == "hello!" && decoded.2, "pieces of \(size)")
        }
    }

    /// A head, a chunk-size line or a trailer that never ends is refused once
    /// it is longer than any jobsched sends, not kept.
    @Test func endlessLinesAreRefused() {
        let head = HTTPResponseDecoder.DecodingError(reason: "the response head is longer than 65536 bytes")
        #expect(throws: head) { try Self.decode(["HTTP/1.1 200 OK\r\n"] + Array(repeating: "X-Padding: 0123456789abcdef\r\n", count: 3000)) }
        let sizeLine = HTTPResponseDecoder.DecodingError(reason: "a chunk-size line is longer than 1024 bytes")
        #expect(throws: sizeLine) {
            try Self.decode(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"] + Array(repeating: "f", count: 2000))
        }
        // 1024 bytes and its CRLF is still a line.
        #expect(throws: HTTPResponseDecoder.DecodingError(reason: "connection closed before the response ended")) {
            try Self.decode(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "x", count: 1022) + "\r\n"])
        }
        #expect(throws: HTTPResponseDecoder.DecodingError(reason: "bad chunk size line")) {
            try Self.decode(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5zz\r\nhello\r\n"])
        }
        let trailer = HTTPResponseDecoder.DecodingError(reason: "the trailer is longer than 65536 bytes")
        #expect(throws: trailer) {
            try Self.decode(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"] + Array(repeating: "X: 0123456789abcdef\r\n", count: 4000))
        }
    }
}
