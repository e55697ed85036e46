import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// Replies in the format asked for: plain text, or JSON.
extension RequestHandlers {
    package func respond(_ request: HTTPRequest, error: RequestError, format: OutputFormat) {
        switch format {
        case .text: request.respond(status: error.status, body: "Error: \(error.message)\n")
        case .json: request.respond(status: error.status, body: JSON.object([("error", .string(error.message))]).serialized() + "\n",
                                    contentType: contentType(of: .json))
        }
    }

    package func respond(_ request: HTTPRequest, status: Int32 = 200, format: OutputFormat, text: () -> String, json: () -> JSON) {
        switch format {
        case .text: request.respond(status: status, body: text())
        case .json: request.respond(status: status, body: json().serialized() + "\n", contentType: contentType(of: .json))
        }
    }

    package func contentType(of format: OutputFormat) -> String {
        switch format {
        case .text: "text/plain; charset=utf-8"
        case .json: "application/json"
        }
    }
}
