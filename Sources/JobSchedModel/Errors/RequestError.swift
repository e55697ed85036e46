/// Input that cannot be accepted, with the HTTP status that says why: thrown
/// by every parser of what clients send, from form decoding to field names.
package struct RequestError: Error, Equatable {
    package var status: Int32
    package var message: String

    package init(status: Int32, message: String) {
        self.status = status
        self.message = message
    }

    package static func badRequest(_ message: String) -> RequestError { RequestError(status: 400, message: message) }
}
