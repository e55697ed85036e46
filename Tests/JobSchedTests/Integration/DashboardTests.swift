import Foundation
import Testing

/// The dashboard's files as a client sees them; the page itself is tested in a
/// real browser by test/browser/run.
@Suite("Integration: the dashboard's files")
struct DashboardIntegrationTests {
    @Test func thePageAndItsFilesComeWithAStrictPolicy() throws {
        let server = try ServerProcess()
        for (path, type) in [("/", "text/html"), ("/ui", "text/html"), ("/ui/app.js", "text/javascript"),
                             ("/ui/app.css", "text/css")] {
            let reply = server.curl(path, extra: ["-D", "-"])
            #expect(reply.status == 200, "\(path)")
            #expect(reply.body.contains("Content-Type: \(type); charset=utf-8"), "\(path)")
            #expect(reply.body.contains("Content-Security-Policy: default-src 'none'; script-src 'self';"), "\(path)")
            #expect(reply.body.contains("X-Content-Type-Options: nosniff"), "\(path)")
        }
        let page = server.curl("/").body
        #expect(page.contains("<script src=\"/ui/app.js\"") && page.contains("/ui/app.css"))
        // Nothing from elsewhere: no absolute URL to another host in any of the files.
        for path in ["/", "/ui/app.js", "/ui/app.css"] {
            // The SVG namespace is a name, not something fetched.
            let body = server.curl(path).body.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            #expect(!body.contains("http://") && !body.contains("https://") && !body.contains("//cdn"), "\(path)")
        }
        #expect(server.curl("/", data: "x=1").status == 405)
    }

    /// The files hold no data: served without the token, so that the page can ask
    /// for it; everything the page then reads needs it.
    @Test func withATokenThePageLoadsButTheDataNeedsIt() throws {
        let server = try ServerProcess(environment: ["JOBSCHED_TOKEN": "dashboard-token-123456"])
        #expect(server.curl("/").status == 200)
        #expect(server.curl("/ui/app.js").status == 200)
        #expect(server.curl("/overview").status == 401)
        #expect(server.curl("/overview", extra: ["-H", "Authorization: Bearer dashboard-token-123456"]).status == 200)
        // Another site's page may not load it (framing, clickjacking), token or not.
        #expect(server.curl("/", extra: ["-H", "Sec-Fetch-Site: cross-site"]).status == 403)
        let unbound = try ServerProcess()
        #expect(unbound.curl("/", extra: ["-H", "Host: attacker.example"]).status == 403)
    }
}
