import Foundation
import Testing

@Suite("Integration: bad requests")
struct BadInputIntegrationTests {
    @Test func badParametersAre400WithOneLineError() throws {
        let server = try ServerProcess()
        let cases: [(String, String, String)] = [
            ("/submit", "sync=0", "missing required parameter 'command'"),
            ("/submit", "command=&sync=0", "missing required parameter 'command'"),
            ("/submit", "command=true&sync=2", "sync must be 0 or 1"),
            ("/submit", "comand=true", "unknown parameter 'comand'"),
            ("/jobinfo", "jobid=abc", "invalid job id 'abc'"),
            ("/jobinfo", "fields=jobid,nope", "unknown field 'nope'"),
            ("/jobinfo", "status=done", "unknown status 'done'"),
            ("/kill", "jobid=", "missing required parameter 'jobid'"),
            ("/wait", "jobid=", "missing required parameter 'jobid'"),
            ("/wait", "jobid=1&timeout=soon", "timeout must be a duration such as 90, 90s, 10m"),
            ("/wait", "jobid=99999999999999999999999", "invalid job id"),
            ("/submit", "command=%ff", "valid UTF-8"),
            ("/submit", "command=a%00b", "NUL"),
        ]
        for (path, data, message) in cases {
            let result = server.curl(path, data: data)
            #expect(result.status == 400, "\(path) \(data): \(result)")
            #expect(result.lines.count == 1 && result.body.hasPrefix("Error: ") && result.body.contains(message),
                    "\(path) \(data): \(result)")
        }
        let typo = server.curl("/submit", data: "comand=true")
        #expect(typo.body.contains("/help?topic=submit"))
        let json = server.curl("/kill", data: "jobid=x&format=json")
        #expect(json.status == 400 && json.body.hasPrefix("{\"error\": "))
        let syncJSON = server.curl("/submit", data: "command=true&sync=1&format=json")
        #expect(syncJSON.status == 400 && syncJSON.body.contains("format=json needs sync=0"))
        // No job was created by any of these.
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1)
    }

    /// A list of many unknown ids is quoted back cut, with its count, not whole.
    @Test func errorsQuoteLongIdListsCut() throws {
        let server = try ServerProcess()
        let ids = "jobid=" + (1_000_001...1_100_000).map(String.init).joined(separator: ",")
        let body = server.directory.file("ids")
        try ids.write(toFile: body, atomically: true, encoding: .utf8)
        for path in ["/wait", "/kill", "/remove"] {
            let result = Curl.run(["--data-binary", "@\(body)", "\(server.base)\(path)"])
            #expect(result.status == 404, "\(path): \(result.status)")
            let bytes = result.body.utf8.count
            #expect(bytes < 200, "\(path): \(result.body.prefix(300))")
            guard bytes < 200 else { continue }
            #expect(result.body == "Error: unknown job id 1000001,1000002,1000003,1000004,1000005,1000006,1000007,"
                        + "1000008,1000009,1000010,… (100000 ids)\n", "\(path)")
        }
    }

    /// An id list longer than a batch is refused before anything is made of
    /// it (6 million ids held the server for seconds); a batch's worth is served.
    @Test func idListsLongerThanABatchAre413() throws {
        let server = try ServerProcess()
        let body = server.directory.file("ids")
        for (count, path) in [(100_001, "/jobinfo"), (100_001, "/wait"), (100_001, "/kill"), (100_001, "/events"), (100_000, "/jobinfo")] {
            try ("jobid=" + (1...count).map(String.init).joined(separator: ",")).write(toFile: body, atomically: true, encoding: .utf8)
            let result = Curl.run(["--data-binary", "@\(body)", "\(server.base)\(path)"])
            if count > 100_000 {
                #expect(result.status == 413 && result.body == "Error: jobid lists 100001 job ids; one request takes at most 100000: "
                            + "split the list, or name the jobs by group=\n", "\(path): \(result)")
            } else {
                // None of them is a job: a 404 that names the first ten.
                #expect(result.status == 404 && result.lines == ["jobid\tname\tgroup\tstatus\treturncode\tsubmitted\tmsg\tcommand",
                                                                 "Error: unknown job id 1,2,3,4,5,6,7,8,9,10,… (100000 ids)"],
                        "\(path): \(result)")
            }
        }
    }

    /// A file of commands sent without lines=1 gets one clear line, not a
    /// many-line "unknown parameter" quoting the file.
    @Test func aFileOfCommandsWithoutLinesIsExplained() throws {
        let server = try ServerProcess()
        let file = server.directory.file("commands")
        try "echo one\necho two\necho three\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = Curl.run(["--data-binary", "@\(file)", "\(server.base)/submit?sync=0"])
        #expect(result.status == 400)
        #expect(result.body == "Error: the body is not form data; use lines=1 to submit one job per line\n")
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1)
    }

    /// A huge bad parameter is echoed as a short prefix with its length, in the reply and in the log.
    @Test func echoedInputIsCutInRepliesAndLogs() throws {
        let server = try ServerProcess()
        let file = server.directory.file("form")
        let name = String(repeating: "n", count: 8 << 20)
        try "command=true&\(name)=1".write(toFile: file, atomically: true, encoding: .utf8)
        let result = Curl.run(["--data-binary", "@\(file)", "\(server.base)/submit"])
        #expect(result.status == 400)
        #expect(result.body == "Error: unknown parameter '\(name.prefix(80))…' (8388608 bytes) for /submit; see /help?topic=submit\n")
        // A huge command is logged cut too.
        try "command=\(String(repeating: "c", count: 8 << 20))&sync=0".write(toFile: file, atomically: true, encoding: .utf8)
        let id = try #require(Int64(Curl.run(["--data-binary", "@\(file)", "\(server.base)/submit"]).body.trimmingCharacters(in: .whitespacesAndNewlines)))
        server.waitFor(id)
        #expect(server.log.contains("job \(id) queued (name job, group default): \(String(repeating: "c", count: 200))… (8388608 bytes)\n"))
        #expect(server.log.utf8.count < 100_000)
    }

    /// Names and commands cannot write escape sequences to the terminal of a user reading /jobinfo.
    @Test func controlCharactersAreEscapedInText() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("printf '\u{1b}[2J'", extra: "&name=" + "\u{1b}]0;owned\u{7}\r")
        server.waitFor(id)
        let result = server.curl("/jobinfo", data: "jobid=\(id)&fields=jobid,name,command")
        #expect(result.lines == ["jobid\tname\tcommand", "\(id)\t\\u001b]0;owned\\u0007\\r\tprintf '\\u001b[2J'"])
        #expect(!result.body.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
    }

    /// Bidirectional overrides and other invisible format characters cannot make a name, a group or
    /// a command read as something else (`<b>OLR</b>` shown reversed): text, tables, the client
    /// and JSON show them as escapes, as they show control characters.
    @Test func invisibleFormatCharactersAreEscaped() throws {
        let server = try ServerProcess()
        let name = "<b>\u{202e}OLR</b>"
        let group = "grp\u{2066}x\u{2069}"
        let command = "echo \u{200b}hi\u{feff} # \u{200f}\u{e0001}"
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        let id = try server.submitAsync(command, extra: "&name=\(encode(name))&group=\(encode(group))")
        server.waitFor(id)
        let escapedName = #"<b>\u202eOLR</b>"#, escapedGroup = #"grp\u2066x\u2069"#
        let escapedCommand = #"echo \u200bhi\ufeff # \u200f\udb40\udc01"#
        func isFormat(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.generalCategory == .format }

        let text = server.curl("/jobinfo", data: "jobid=\(id)&fields=jobid,name,group,command")
        #expect(text.lines == ["jobid\tname\tgroup\tcommand", "\(id)\t\(escapedName)\t\(escapedGroup)\t\(escapedCommand)"], "\(text)")
        let table = server.curl("/jobinfo", data: "jobid=\(id)&view=table&fields=name,group,command").lines
        #expect(table.count == 2 && table[1].hasPrefix(escapedName + "  " + escapedGroup + "  " + escapedCommand), "\(table)")
        let groups = server.curl("/group").body
        #expect(groups.contains("\n\(escapedGroup)\t"), "\(groups)")
        for arguments in [["ls"], ["show", String(id)]] {
            let client = try ClientProcess.run(arguments, server: server)
            #expect(client.status == 0 && client.stdout.contains(escapedName) && client.stdout.contains(escapedCommand), "\(client)")
            #expect(!client.stdout.unicodeScalars.contains(where: isFormat), "\(arguments): \(client)")
        }
        for body in [text.body, groups] {
            #expect(!body.unicodeScalars.contains(where: isFormat), "\(body)")
        }

        // JSON escapes them too (\u202e), and a JSON parser reads back the name as it was given.
        let json = server.curl("/jobinfo", data: "jobid=\(id)&format=json").body
        #expect(!json.unicodeScalars.contains(where: isFormat) && json.contains(#""name": "<b>\u202eOLR</b>""#), "\(json)")
        let job = try server.job(id)
        #expect(job["name"] as? String == name && job["group"] as? String == group && job["command"] as? String == command)
    }

    /// /jobinfo's name= and group= filters split on commas: such names are refused at submit.
    @Test func namesAndGroupsWithCommasAreRefused() throws {
        let server = try ServerProcess()
        for parameter in ["name", "group"] {
            let result = server.curl("/submit", data: "command=true&sync=0&\(parameter)=a,b")
            #expect(result.status == 400 && result.body.contains("\(parameter) must not contain a comma"), "\(result)")
        }
        #expect(server.curl("/group", data: "name=a,b&limit=1").status == 400)
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1)
    }

    @Test func unknownPathsAndTopicsAre404() throws {
        let server = try ServerProcess()
        for path in ["/ui/nope", "/nope", "/submit/extra"] {
            let result = server.curl(path)
            #expect(result.status == 404 && result.body.contains("/help"), "\(path): \(result)")
        }
        for path in ["/nope?format=json", "/ui/app.json?format=json"] {
            let json = server.curl(path)
            #expect(json.status == 404 && json.body.hasPrefix("{\"error\": ") && json.body.contains("/help"), "\(path): \(json)")
        }
        let posted = server.curl("/nope", data: "format=json")
        #expect(posted.status == 404 && posted.body.hasPrefix("{\"error\": "), "\(posted)")
        let topic = server.curl("/help?topic=nope")
        #expect(topic.status == 404 && topic.body.contains("submit"))
        #expect(server.curl("/help", extra: ["-X", "DELETE"]).status == 405)
    }

    @Test func emptyJobinfoFiltersMeanNoFilter() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("sleep 300")
        let finished = try server.submitAsync("true")
        server.waitFor(finished)
        // The original's test/jobinfo sends jobid= when given no id.
        let result = server.curl("/jobinfo", data: "jobid=&name=&group=")
        #expect(result.lines.count == 2 && result.lines[1].hasPrefix("\(id)\t"))
        server.curl("/kill", data: "jobid=\(id)")
    }

    @Test func valuesWithTabsAndNewlinesStayOnOneLine() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("printf 'a\\tb'\necho c\\\\d")
        server.waitFor(id)
        let result = server.curl("/jobinfo", data: "jobid=\(id)&fields=jobid,command,time,jobgroup")
        #expect(result.lines == ["jobid\tcommand\tsubmitted\tgroup", "\(id)\tprintf 'a\\\\tb'\\necho c\\\\\\\\d\t\(try server.job(id)["submitted"] as! String)\tdefault"])
    }
}
