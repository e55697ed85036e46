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
    private static func sent(_ subcommand: ClientSubcommand, _ args: [String], color: Bool = false) throws -> [(String, String)] {
        let form = try subcommand.form(parse(subcommand, args), directory: "/home/u/src", color: color)
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
        #expect(throws: CommandLineError("give a group and --limit together, e.g. jobsched groups build --limit 2")) {
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
        #expect(try Self.sent(.ls, []).map { "\($0)=\($1)" } == ["all=1", "view=table"])
        #expect(try Self.sent(.ls, ["-a", "--last", "5", "7"], color: true).map { "\($0)=\($1)" }
                    == ["jobid=7", "sort=-jobid", "limit=5", "view=table", "color=1"])
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
        #expect(throws: CommandLineError.self) { try ServerAddress(parsing: "https://host") }
    }

    @Test func formBodiesEscapeEverythingButTheUnreserved() throws {
        var form = FormBody()
        form.add("command", "a&b=c %+é\n")
        form.add("skipped", nil)
        #expect(form.text == "command=a%26b%3Dc%20%25%2B%C3%A9%0A")
        #expect(try FormDecoding.decodeURLEncoded(Array(form.text.utf8)).map(\.1) == ["a&b=c %+é\n"])
    }

    // MARK: Replies

    @Test func aStreamedReplyIsSplitIntoOutputAndHowTheJobEnded() {
        var stream = StreamedOutput(startsWithJobID: true)
        var output: [UInt8] = []
        for piece in ["1", "2\nhel", "lo\njobsched: job 3 success returncode=0\nmore\njob", "sched: job 12 killed returncode=-15\n"] {
            output += stream.take(Array(piece.utf8))
        }
        let (rest, end) = stream.finish()
        // The job's own line that looks like a status line is output: more came after it.
        #expect(String(decoding: output + rest, as: UTF8.self) == "hello\njobsched: job 3 success returncode=0\nmore\n")
        #expect(end == JobEndReport(id: 12, status: .killed, returncode: -15))
        #expect(end?.trailer == "jobsched: job 12 killed returncode=-15")

        var cut = StreamedOutput(startsWithJobID: false)
        let held = cut.take(Array("partial\njobsched: job".utf8))
        let (tail, noEnd) = cut.finish()
        #expect(String(decoding: held + tail, as: UTF8.self) == "partial\njobsched: job" && noEnd == nil)
    }

    @Test func statusLinesReadBack() {
        #expect(JobEndReport(line: "job 4 failed returncode=-") == JobEndReport(id: 4, status: .failed, returncode: nil))
        #expect(JobEndReport(line: "jobsched: job 4 success returncode=2\n")?.succeeded == false)
        #expect(JobEndReport(line: "job 4 success returncode=0")?.succeeded == true)
        #expect(JobEndReport(line: "job x success returncode=0") == nil && JobEndReport(line: "job 4 done returncode=0") == nil)
    }

    @Test func responsesInEachFraming() throws {
        func decode(_ pieces: [String]) throws -> (Int?, String, Bool) {
            var decoder = HTTPResponseDecoder()
            var body: [UInt8] = []
            for piece in pieces { try decoder.feed(ArraySlice(piece.utf8)) { body += $1 } }
            let complete = decoder.isComplete
            if !complete { try decoder.finish() }
            return (decoder.status, String(decoding: body, as: UTF8.self), complete)
        }
        let chunked = try decode(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", "c\r\n1\r", "\nd\r\n0\r\n\r\n"])
        #expect(chunked.0 == 200 && chunked.1 == "abcd" && chunked.2)
        let sized = try decode(["HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nno", "pe!"])
        #expect(sized.0 == 404 && sized.1 == "nope!" && sized.2)
        let empty = try decode(["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
        #expect(empty.0 == 200 && empty.1 == "" && empty.2)
        let closed = try decode(["HTTP/1.0 200 OK\r\n\r\nto the end"])
        #expect(closed.1 == "to the end" && !closed.2)
        #expect(throws: HTTPResponseDecoder.DecodingError.self) { try decode(["HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"]) }
        #expect(throws: HTTPResponseDecoder.DecodingError.self) { try decode(["SSH-2.0-OpenSSH\r\n\r\n"]) }
    }
}
