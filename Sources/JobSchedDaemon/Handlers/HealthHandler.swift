import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// `ok` for monitors: the server is up and its event loop answers.
    package func health(format: OutputFormat, _ request: HTTPRequest) {
        respond(request, format: format, text: { "ok\n" }, json: { .object([("status", .string("ok"))]) })
    }
}
