import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Answers first: the reply is written before the server stops accepting.
    package func shutdown(format: OutputFormat, _ request: HTTPRequest) {
        respond(request, format: format, text: { "Shutting down server\n" },
                json: { .object([("status", .string("shutting down"))]) })
        onShutdownRequested("/shutdown")
    }
}
