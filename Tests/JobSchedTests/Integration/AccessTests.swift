import Foundation
import Testing

@Suite("Integration: access control")
struct AccessIntegrationTests {
    static let token = "tok-\(UUID().uuidString)"

    @Test func tokenFromFileIsRequiredOnEveryCommand() throws {
        let directory = try ScratchDirectory()
        let tokenFile = directory.file("token")
        try (AccessIntegrationTests.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--token-file", tokenFile], directory: directory)
        let auth = ["-H", "Authorization: Bearer \(AccessIntegrationTests.token)"]
        for path in ["/help", "/submit", "/jobinfo", "/kill", "/wait", "/shutdown"] {
            let result = server.curl(path, data: "jobid=1&command=true", extra: ["-H", "Authorization: Bearer wrong"])
            #expect(result.status == 401, "\(path): \(result)")
            #expect(server.curl(path).status == 401)
        }
        let headers = Curl.run(["-i", "\(server.base)/help"]).body
        #expect(headers.contains("WWW-Authenticate: Bearer"))
        let id = try #require(Int64(server.curl("/submit", data: "command=echo hi&sync=0", extra: auth).body
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(server.curl("/wait", data: "jobid=\(id)", extra: auth).body == "job \(id) success returncode=0\n")
        // Nothing was created by the refused submits, and the token is nowhere to be seen.
        let all = server.curl("/jobinfo", data: "all=1", extra: auth)
        #expect(all.lines.count == 2)
        #expect(server.curl("/shutdown", extra: auth).status == 200)
        #expect(server.waitForExit() == 0)
        #expect(!server.log.contains(AccessIntegrationTests.token))
    }

    @Test func tokenFromEnvironmentIsNotPassedToJobs() throws {
        let server = try ServerProcess([], environment: ["JOBSCHED_TOKEN": AccessIntegrationTests.token])
        let auth = ["-H", "Authorization: Bearer \(AccessIntegrationTests.token)"]
        #expect(server.curl("/help").status == 401)
        let out = server.curl("/submit", data: "command=echo \"[$JOBSCHED_TOKEN]\"", extra: auth)
        #expect(out.status == 200 && out.lines.dropFirst().first == "[]", "\(out)")
    }

    @Test func browserRequestsFromOtherOriginsAndHostsAre403() throws {
        let server = try ServerProcess()
        let origin = server.curl("/submit", data: "command=touch pwned&sync=0", extra: ["-H", "Origin: http://evil.example"])
        #expect(origin.status == 403, "\(origin)")
        let rebinding = server.curl("/jobinfo", extra: ["-H", "Host: rebind.evil.example:\(server.port)"])
        #expect(rebinding.status == 403, "\(rebinding)")
        #expect(server.curl("/help", extra: ["-H", "Origin: http://127.0.0.1:\(server.port)"]).status == 200)
        #expect(server.curl("/help", extra: ["-H", "Host: localhost"]).status == 200)
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1)
        #expect(!FileManager.default.fileExists(atPath: server.directory.file("pwned")))
    }

    /// A page can make the browser send a GET with no Origin (an <img>, a link, a GET form);
    /// the browser's Sec-Fetch-Site tells where it came from.
    @Test func crossSiteAndSameSiteBrowserRequestsAre403() throws {
        let server = try ServerProcess()
        let marker = server.directory.file("pwned")
        for site in ["cross-site", "same-site", "Cross-Site"] {
            let result = server.curl("/submit?command=touch%20\(marker)&sync=0", extra: ["-H", "Sec-Fetch-Site: \(site)"])
            #expect(result.status == 403 && result.body.contains("Sec-Fetch-Site"), "\(site): \(result)")
            #expect(server.curl("/shutdown", extra: ["-H", "Sec-Fetch-Site: \(site)"]).status == 403)
        }
        // A URL the user typed (none) and the server's own pages (same-origin) pass, as does curl.
        #expect(server.curl("/help", extra: ["-H", "Sec-Fetch-Site: none"]).status == 200)
        #expect(server.curl("/help", extra: ["-H", "Sec-Fetch-Site: same-origin"]).status == 200)
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(server.isRunning)
    }

    @Test func nonLoopbackAddressNeedsATokenOrAnExplicitOverride() throws {
        #expect(throws: HarnessError.self) { try ServerProcess(["-a", "0.0.0.0"]) }
        let refused = try ServerProcess.run(["-a", "0.0.0.0", "-p", "0", "--dbfile", "/nonexistent/x.sqlite"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refusing to listen on 0.0.0.0") && refused.stderr.contains("--token-file"),
                "\(refused.stderr)")
        let insecure = try ServerProcess(["-a", "0.0.0.0", "--insecure-no-auth"])
        #expect(insecure.log.contains("WARNING") && insecure.log.contains("WITHOUT A TOKEN"))
        let withToken = try ServerProcess(["-a", "0.0.0.0"], environment: ["JOBSCHED_TOKEN": "x"])
        #expect(withToken.curl("/help", extra: ["-H", "Authorization: Bearer x"]).status == 200)
    }
}
