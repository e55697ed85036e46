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
            ("/wait", "jobid=1&timeout=soon", "timeout must be a number"),
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

    @Test func unknownPathsAndTopicsAre404() throws {
        let server = try ServerProcess()
        for path in ["/", "/nope", "/submit/extra"] {
            let result = server.curl(path)
            #expect(result.status == 404 && result.body.contains("/help"), "\(path): \(result)")
        }
        for path in ["/nope?format=json", "/?format=json"] {
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
