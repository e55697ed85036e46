import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension RequestHandlers {
    /// /events: every change from now on as Server-Sent Events, after what the
    /// client missed since its `Last-Event-ID`.
    package func events(_ r: EventsRequest, _ request: HTTPRequest) throws(RequestError) {
        let lastEventID: UInt64?
        if let header = request.header("Last-Event-ID") {
            guard let id = EventStreamText.lastEventID(header) else {
                throw .badRequest("Last-Event-ID must be the id of an event, not \(Excerpt.quoted(header))")
            }
            lastEventID = id
        } else {
            lastEventID = nil
        }
        guard request.method != .head else {
            request.respond(status: 200, body: "", contentType: "text/event-stream; charset=utf-8")
            return
        }
        events.add(request, filter: r.filter, lastEventID: lastEventID)
    }
}
