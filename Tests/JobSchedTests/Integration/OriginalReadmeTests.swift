import Foundation
import Testing

/// Every curl command of the original README, as written there.
@Suite("Integration: the original README's commands")
struct OriginalReadmeIntegrationTests {
    @Test func everyCommandWorksAsWritten() throws {
        let server = try ServerProcess()
        let host = "127.0.0.1:\(server.port)"

        // curl --data "param1=value1&param2=value2" 127.0.0.1:4321/command  (a placeholder path)
        let placeholder = Curl.run(["--data", "param1=value1&param2=value2", "\(host)/command"])
        #expect(placeholder.status == 404)
        #expect(placeholder.body.contains("/help"))

        let help = Curl.run(["\(host)/help"])
        #expect(help.status == 200)
        for command in ["help", "submit", "jobinfo", "kill", "wait", "shutdown"] {
            #expect(help.body.contains("/\(command)"))
        }
        let topic = Curl.run(["\(host)/help?topic=submit"])
        #expect(topic.status == 200 && topic.body.contains("command") && topic.body.contains("required"))
        // The README's own placeholder topic: a clear error listing the real ones.
        let placeholderTopic = Curl.run(["\(host)/help?topic=command"])
        #expect(placeholderTopic.status == 404)
        #expect(placeholderTopic.body.contains("submit") && placeholderTopic.body.contains("jobinfo"))

        let submit = Curl.run(["--data", "name=sleep&command=sleep 10&sync=0", "\(host)/submit"])
        #expect(submit.status == 200)
        let id = try #require(Int64(submit.lines.first ?? ""))

        // 124 and 135 are no job's: the job that exists is listed, then a line names them (a 404).
        let byIDs = Curl.run(["--data", "jobid=\(id),124,135", "\(host)/jobinfo"])
        #expect(byIDs.lines.first?.hasPrefix("jobid\tname\tgroup\tstatus") == true)
        #expect(byIDs.lines.count == 3 && byIDs.lines[1].hasPrefix("\(id)\tsleep\tdefault\t"), "\(byIDs)")
        #expect(byIDs.status == 404 && byIDs.lines.last == "Error: unknown job id 124,135")

        let byName = Curl.run(["--data", "job=sleep&group=default", "\(host)/jobinfo"])
        #expect(byName.lines.count == 2 && byName.lines[1].contains("sleep 10"))
        #expect(Curl.run(["--data", "all=1", "\(host)/jobinfo"]).lines.count == 2)

        let kill = Curl.run(["--data", "jobid=\(id)", "\(host)/kill"])
        #expect(kill.body == "Job \(id) has been killed\n")

        let wait = Curl.run(["--data", "jobid=\(id)", "\(host)/wait"])
        #expect(wait.status == 200)
        #expect(wait.body.hasPrefix("job \(id) killed returncode="))

        let shutdown = Curl.run(["\(host)/shutdown"])
        #expect(shutdown.body == "Shutting down server\n")
        #expect(server.waitForExit() == 0)
    }

    @Test func getAndPostAreEquivalent() throws {
        let server = try ServerProcess()
        let get = server.curl("/submit?command=echo%20via%20get&sync=1")
        let post = server.curl("/submit", data: "command=echo via post&sync=1")
        #expect(get.lines.dropFirst().first == "via get")
        #expect(post.lines.dropFirst().first == "via post")
        // A POST may carry a query string too; for a repeated name the body wins.
        let both = server.curl("/submit?name=fromquery&group=g1", data: "name=frombody&command=true&sync=0")
        let job = try server.job(try #require(Int64(both.lines.first ?? "")))
        #expect(job["name"] as? String == "frombody")
        #expect(job["group"] as? String == "g1")
        // curl -F (multipart/form-data) works like --data.
        let multipart = Curl.run(["-F", "command=echo multi part", "-F", "name=mp", "\(server.base)/submit"])
        #expect(multipart.lines.dropFirst().first == "multi part")
    }
}
