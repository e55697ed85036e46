import JobSchedModel
import JobSchedSystem

/// The `/events` clients, and the recent events they resume from: each change
/// is kept, then sent to every client whose filter it passes, rendered once.
///
/// A client never slows the server: one whose unsent bytes pass
/// `maxUnsentBytes` is disconnected, and resumes with `Last-Event-ID` if it can.
package final class EventStreams {
    package static let keepAliveSeconds = 15.0
    package static let maxUnsentBytes = 1 << 20

    private struct Client {
        let request: HTTPRequest
        let filter: EventFilter
    }

    private let loop: EventLoop
    private var history: EventHistory
    private var clients: [Int: Client] = [:]
    private var nextKey = 0
    private var keepAlive: Event?

    package var lastID: EventHistory.EventID { history.lastID }
    package var clientCount: Int { clients.count }

    /// `firstID` must be above any id an earlier run gave out (see `EventHistory`).
    package init(loop: EventLoop, capacity: Int, firstID: EventHistory.EventID) {
        self.loop = loop
        history = EventHistory(capacity: capacity, firstID: firstID)
    }

    package func publish(_ event: ServerEvent) {
        let id = history.append(event)
        guard !clients.isEmpty else { return }
        var text: String?
        for (key, client) in clients where client.filter.matches(event) {
            if text == nil { text = EventStreamText.event(id: id, name: event.name, data: event.data(now: Clock.now())) }
            send(text!, to: key, client)
        }
    }

    /// Streams to `request` from now on; with `lastEventID`, first what it missed since,
    /// or a `reset` event when that is no longer kept.
    package func add(_ request: HTTPRequest, filter: EventFilter, lastEventID: EventHistory.EventID?) {
        nextKey += 1
        let key = nextKey
        request.addReplyHeader("Cache-Control", "no-cache")
        // Proxies such as nginx would otherwise hold events back in their buffers.
        request.addReplyHeader("X-Accel-Buffering", "no")
        request.startStream(contentType: "text/event-stream; charset=utf-8") { [unowned self] in
            self.clients[key] = nil
        }
        let client = Client(request: request, filter: filter)
        clients[key] = client
        if let lastEventID {
            if let missed = history.events(after: lastEventID) {
                let now = Clock.now()
                for (id, event) in missed where filter.matches(event) {
                    send(EventStreamText.event(id: id, name: event.name, data: event.data(now: now)), to: key, client)
                }
            } else {
                send(EventStreamText.reset(lastID: history.lastID), to: key, client)
            }
        } else {
            // Lets the client know the stream is up before the first change.
            send(EventStreamText.keepAlive, to: key, client)
        }
        if keepAlive == nil { armKeepAlive() }
    }

    /// Ends every stream: the server is about to exit.
    package func endAll() {
        let all = clients.values
        clients = [:]
        keepAlive = nil
        all.forEach { $0.request.endStream() }
    }

    private func send(_ text: String, to key: Int, _ client: Client) {
        guard client.request.isOpen else {
            clients[key] = nil
            return
        }
        guard client.request.unsentBytes + text.utf8.count <= EventStreams.maxUnsentBytes else {
            clients[key] = nil
            client.request.closeConnection()
            return
        }
        client.request.send(text)
    }

    /// One timer for all clients, running while there are any.
    private func armKeepAlive() {
        keepAlive = loop.timer(after: EventStreams.keepAliveSeconds) { [unowned self] in
            for (key, client) in self.clients { self.send(EventStreamText.keepAlive, to: key, client) }
            self.keepAlive = nil
            if !self.clients.isEmpty { self.armKeepAlive() }
        }
    }
}
