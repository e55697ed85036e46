import Foundation
import Glibc
import Testing

/// Tokens with names and roles, from a real token file: what each role may
/// do on every endpoint, whose jobs a submit token may change, `owner`, the
/// audit lines, and a token file that cannot be taken.
@Suite("Integration: tokens with roles")
struct TokenRolesIntegrationTests {
    static let secrets = ["admin": "admin-\(UUID().uuidString)", "ci": "ci-\(UUID().uuidString)",
                          "bob": "bob-\(UUID().uuidString)", "viewer": "viewer-\(UUID().uuidString)"]

    /// A server whose token file holds a bare (admin) token, two submit tokens and a read token.
    private static func server(_ extra: [String] = []) throws -> ServerProcess {
        let directory = try ScratchDirectory()
        let file = directory.file("tokens")
        try """
            # the team's tokens
            \(secrets["admin"]!)
            ci     submit \(secrets["ci"]!)   # the CI runner
            bob    submit \(secrets["bob"]!)

            viewer read   \(secrets["viewer"]!)

            """.write(toFile: file, atomically: true, encoding: .utf8)
        return try ServerProcess(["--token-file", file] + extra, directory: directory)
    }

    private static func auth(_ name: String) -> [String] { ["-H", "Authorization: Bearer \(secrets[name]!)"] }

    /// The status of a request as `name`, a stream cut after a second.
    private static func status(_ server: ServerProcess, _ path: String, _ data: String?, as name: String) -> Int {
        server.curl(path, data: data, extra: auth(name) + ["-m", "2", "-o", "/dev/null"]).status
    }

    /// Every endpoint, as each role: allowed (not 401 or 403) or refused with 403 naming the token.
    @Test func eachRoleMayUseItsEndpoints() throws {
        let server = try Self.server()
        let own = try #require(Int(server.curl("/submit", data: "command=true&sync=0", extra: Self.auth("ci")).body.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(server.curl("/wait", data: "jobid=\(own)", extra: Self.auth("admin")).body.hasPrefix("job \(own) success"))
        let endpoints: [(path: String, data: String?, roles: Set<String>)] = [
            ("/help", nil, ["viewer", "ci", "admin"]),
            ("/health", nil, ["viewer", "ci", "admin"]),
            ("/jobinfo", nil, ["viewer", "ci", "admin"]),
            ("/output", "jobid=\(own)", ["viewer", "ci", "admin"]),
            ("/wait", "jobid=\(own)", ["viewer", "ci", "admin"]),
            ("/events", nil, ["viewer", "ci", "admin"]),
            ("/overview", nil, ["viewer", "ci", "admin"]),
            ("/metrics", nil, ["viewer", "ci", "admin"]),
            ("/submit", "command=true&sync=0", ["ci", "admin"]),
            ("/edit", "jobid=\(own)&name=x", ["ci", "admin"]),
            ("/kill", "jobid=\(own)", ["ci", "admin"]),
            ("/restart", "jobid=\(own)", ["ci", "admin"]),
            ("/remove", "jobid=999999", ["ci", "admin"]),
            ("/pause", "group=g", ["admin"]),
            ("/resume", "group=g", ["admin"]),
            ("/group", "group=g&limit=2", ["admin"]),
            ("/clean", "status=killed", ["admin"]),
        ]
        for endpoint in endpoints {
            for name in ["viewer", "ci", "admin"] {
                let status = Self.status(server, endpoint.path, endpoint.data, as: name)
                if endpoint.roles.contains(name) {
                    #expect(status != 401 && status != 403 && status != 0, "\(name) \(endpoint.path): \(status)")
                } else {
                    let refused = server.curl(endpoint.path, data: endpoint.data, extra: Self.auth(name))
                    let role = name == "viewer" ? "read" : "submit"
                    #expect(refused.status == 403 && refused.body == "Error: token '\(name)' (role \(role)) may not \(endpoint.path)\n",
                            "\(name) \(endpoint.path): \(refused)")
                }
            }
        }
        for name in ["viewer", "ci"] {
            let refused = server.curl("/shutdown", data: "", extra: Self.auth(name))
            #expect(refused.status == 403 && refused.body.contains("may not /shutdown"), "\(refused)")
        }
        // A missing or unknown token is still 401.
        #expect(server.curl("/jobinfo").status == 401)
        #expect(server.curl("/jobinfo", extra: ["-H", "Authorization: Bearer not-a-token-of-this-server"]).status == 401)
        #expect(server.curl("/shutdown", data: "", extra: Self.auth("admin")).status == 200)
        #expect(server.waitForExit() == 0)
    }

    /// A submit token changes its own jobs only; an admin changes anyone's.
    /// Each job records the name of its token as `owner`, which filters
    /// listings and events, and the log names who changed what.
    @Test func aSubmitTokenChangesItsOwnJobsOnly() throws {
        let server = try Self.server()
        #expect(server.curl("/pause", data: "group=default", extra: Self.auth("admin")).status == 200)
        let events = try EventStreamClient(server, query: "owner=bob", extra: Self.auth("viewer"))
        #expect(events.waitUntilConnected())
        func submit(as name: String) throws -> Int64 {
            try #require(Int64(server.curl("/submit", data: "command=true&sync=0", extra: Self.auth(name)).body.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let mine = try submit(as: "ci"), bobs = try submit(as: "bob"), admins = try submit(as: "admin")
        for (path, data) in [("/kill", "jobid=\(bobs)"), ("/edit", "jobid=\(bobs)&priority=3"), ("/kill", "jobid=\(mine),\(bobs)")] {
            let refused = server.curl(path, data: data, extra: Self.auth("ci"))
            #expect(refused.status == 403 && refused.body == "Error: token 'ci' (role submit) may not \(path) job \(bobs), submitted by 'bob'\n",
                    "\(refused)")
        }
        let adminsJob = server.curl("/kill", data: "jobid=\(admins)", extra: Self.auth("ci"))
        #expect(adminsJob.status == 403 && adminsJob.body.contains("job \(admins), submitted by 'admin'"), "\(adminsJob)")
        #expect(server.curl("/edit", data: "jobid=\(mine)&priority=3", extra: Self.auth("ci")).status == 200)
        #expect(server.curl("/kill", data: "jobid=\(mine)", extra: Self.auth("ci")).status == 200)
        #expect(server.curl("/kill", data: "jobid=\(bobs)", extra: Self.auth("admin")).status == 200)
        let tooMany = server.curl("/kill", data: "jobid=" + (1...1001).map(String.init).joined(separator: ","), extra: Self.auth("ci"))
        #expect(tooMany.status == 403 && tooMany.body.contains("may name at most 1000 jobs in one /kill"), "\(tooMany)")

        let owners = server.curl("/jobinfo", data: "all=1&fields=jobid,owner", extra: Self.auth("viewer")).lines
        #expect(owners == ["jobid\towner", "\(mine)\tci", "\(bobs)\tbob", "\(admins)\tadmin"], "\(owners)")
        #expect(server.curl("/jobinfo", data: "owner=bob&all=1&fields=jobid", extra: Self.auth("viewer")).lines == ["jobid", "\(bobs)"])
        let ls = try ClientProcess.run(["ls", "--owner", "bob", "--fields", "jobid,owner"], server: server,
                                       environment: ["JOBSCHED_TOKEN": Self.secrets["viewer"]!])
        #expect(ls.status == 0 && ls.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) } == [["\(bobs)", "bob"]], "\(ls)")
        let json = server.curl("/jobinfo?jobid=\(mine)&format=json", extra: Self.auth("viewer")).body
        #expect(json.contains("\"owner\": \"ci\""), "\(json)")
        // Bob's submit and kill reach the stream that follows bob; ci's jobs do not.
        #expect(events.events(until: { $0.summary == "killed \(bobs)" }).map(\.summary) == ["submitted \(bobs)", "killed \(bobs)"])

        let log = server.log
        #expect(log.contains("token 'ci' (role submit): /kill jobid=\(mine)"), "\(log)")
        #expect(log.contains("token 'admin' (role admin): /kill jobid=\(bobs)") && log.contains("token 'admin' (role admin): /pause group=default"))
        #expect(!Self.secrets.values.contains { log.contains($0) })
    }

    /// A token file that cannot be taken stops the server at start, naming the line and why.
    @Test func aBadTokenFileStopsTheServer() throws {
        let directory = try ScratchDirectory()
        let file = directory.file("tokens")
        let good = "0123456789abcdef0123"
        for (text, said) in [
            ("ci submit \(good)\nx writer \(good)x\n", "line 2: unknown role 'writer'; a role is read, submit or admin"),
            ("ci submit \(good)\nci read \(good)x\n", "line 2: the name 'ci' is given twice"),
            ("ci submit \(good)\nbob read \(good)\n", "line 2: the same token is on an earlier line"),
            ("# comment\nci submit short\n", "line 2: the token is shorter than 16 characters (make one with: head -c 32 /dev/urandom | base64)"),
            ("ci submit\n", "line 1: expected TOKEN, or NAME ROLE TOKEN; got 2 words"),
            ("# only a comment\n\n", "holds no token"),
        ] {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let refused = try ServerProcess.run(["-p", "0", "--dbfile", directory.file("j.sqlite"), "--token-file", file])
            #expect(refused.status == 1 && refused.stderr == "jobsched: error: token file '\(file)' \(said)\n", "\(refused)")
        }
    }
}
