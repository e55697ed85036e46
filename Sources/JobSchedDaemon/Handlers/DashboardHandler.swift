import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension RequestHandlers {
    /// The dashboard's page, script and styles. They hold no data, so they are
    /// served without the token (the page asks for it); the Host, Origin and
    /// Sec-Fetch-Site rules still apply.
    package func dashboard(_ file: DashboardFile, _ request: HTTPRequest) throws(RequestError) {
        try checkAccess(request, needsToken: false)
        guard request.method == .get || request.method == .head else {
            throw RequestError(status: 405, message: "the dashboard is read with GET")
        }
        request.addReplyHeader("Content-Security-Policy", DashboardFile.contentSecurityPolicy)
        request.addReplyHeader("X-Content-Type-Options", "nosniff")
        request.addReplyHeader("Referrer-Policy", "no-referrer")
        // A new binary's page is picked up at once.
        request.addReplyHeader("Cache-Control", "no-cache")
        file.bytes.withUnsafeBytes { request.respond(status: 200, bytes: $0, contentType: file.contentType) }
    }
}
