import JobSchedModel
import JobSchedSystem

/// The `/events` clients, and the recent events they resume from.
///
/// Cheap however many clients there are: clients that asked for the same
/// filter share one audience, so each event is matched once per distinct
/// filter, not once per client; events are sent in batches, at most
/// `batchSeconds` after they happen, one chunk per client per batch; and a
/// batch's bytes are shared by the audience's clients, not copied for each.
///
/// A client never slows the server. One that has more than `lagBytes` unsent
/// for `lagSeconds` (a burst, such as a batch of 10,000 submits, is given time
/// to drain), or more than `maxUnsentBytes` at any time, is disconnected; it
/// resumes with `Last-Event-ID` if it can. The unsent bytes are mostly shared
/// batches, so what lagging clients hold is bounded however many they are.
package final class EventStreams {
    package static let keepAliveSeconds = 15.0
    package static let batchSeconds = 0.05
    package static let lagBytes = 1 << 20
    package static let lagSeconds = 5.0
    package static let maxUnsentBytes = 64 << 20
    /// What a resuming client is sent at once of what it missed, at most.
    package static let replaySliceBytes = 16 * 1024
    package static let replaySliceEvents = 256

    private final class Client {
        let request: HTTPRequest
        /// Since when it has had more than `lagBytes` unsent.
        var laggingSince: Double?

        init(_ request: HTTPRequest) { self.request = request }

        /// False once it is too far behind to be worth its buffer.
        func keepsUp(at now: Double) -> Bool {
            let unsent = request.unsentBytes
            guard request.isOpen, unsent <= EventStreams.maxUnsentBytes else { return false }
            guard unsent > EventStreams.lagBytes else {
                laggingSince = nil
                return true
            }
            let since = laggingSince ?? now
            laggingSince = since
            return now - since < EventStreams.lagSeconds
        }
    }

    /// The clients of one filter, and the events of the coming batch that pass it.
    private final class Audience {
        var clients: [Int: Client] = [:]
        var batch = ""
    }

    private let loop: EventLoop
    private var history: EventHistory
    private var audiences: [EventFilter: Audience] = [:]
    /// Their filters, indexed by the jobs and groups they name.
    private var filters = EventFilterIndex()
    private var filterOfClient: [Int: EventFilter] = [:]
    /// Clients still being sent what they missed, not yet in an audience.
    private var replaying: [Int: HTTPRequest] = [:]
    /// Where their next slices are made, in turn with the server's other long work.
    private let turns: Turns
    private var nextKey = 0
    private var batchTimer: Event?
    private var keepAlive: Event?

    package var lastID: EventHistory.EventID { history.lastID }

    /// `firstID` must be above any id an earlier run gave out (see `EventHistory`).
    package init(loop: EventLoop, turns: Turns, capacity: Int, firstID: EventHistory.EventID) {
        self.loop = loop
        self.turns = turns
        history = EventHistory(capacity: capacity, firstID: firstID)
    }

    /// Keeps the event, and adds it to the next batch of each audience it concerns.
    package func publish(_ event: ServerEvent) {
        let id = history.append(event)
        guard !audiences.isEmpty else { return }
        var text: String?
        for filter in filters.filters(passing: event) {
            guard let audience = audiences[filter] else { continue }
            if text == nil { text = EventStreamText.event(id: id, name: event.name, data: event.data(now: Clock.now())) }
            audience.batch += text!
        }
        if text != nil && batchTimer == nil {
            batchTimer = loop.timer(after: EventStreams.batchSeconds) { [unowned self] in self.sendBatches() }
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
        request.startStream(contentType: "text/event-stream; charset=utf-8") { [unowned self] in self.remove(key) }
        request.limitSocketBuffer()
        guard let lastEventID else {
            // Lets the client know the stream is up before the first change.
            request.send(EventStreamText.keepAlive)
            return join(key, request, filter: filter)
        }
        replaying[key] = request
        queueReplay(key, request, filter: filter, after: lastEventID)
    }

    /// Makes the client's next slice in a turn (`Turns`): however many clients
    /// resume at once, the replays take the loop a turn at a time, and other
    /// work comes between two turns.
    private func queueReplay(_ key: Int, _ request: HTTPRequest, filter: EventFilter, after lastSent: EventHistory.EventID) {
        turns.add { [unowned self, unowned request] in
            if replaying[key] != nil { replay(key, request, filter: filter, after: lastSent) }
            return false
        }
    }

    /// Sends a resuming client what it missed, a slice at a time, each once it
    /// has read the one before (a client 10,000 events behind made one reply
    /// of all of them at once); then it joins the live events.
    private func replay(_ key: Int, _ request: HTTPRequest, filter: EventFilter, after lastSent: EventHistory.EventID) {
        var lastSent = lastSent
        var text = ""
        let now = Clock.now()
        while text.utf8.count < EventStreams.replaySliceBytes {
            guard let missed = history.events(after: lastSent, limit: EventStreams.replaySliceEvents) else {
                // Gone from the history while it was behind.
                request.send(text + EventStreamText.reset(lastID: history.lastID))
                return join(key, request, filter: filter)
            }
            guard let last = missed.last else {
                request.send(text)
                return join(key, request, filter: filter)
            }
            for (id, event) in missed where filter.matches(event) {
                text += EventStreamText.event(id: id, name: event.name, data: event.data(now: now))
            }
            lastSent = last.id
        }
        request.send(text) { [unowned self, unowned request] in
            queueReplay(key, request, filter: filter, after: lastSent)
        }
    }

    private func join(_ key: Int, _ request: HTTPRequest, filter: EventFilter) {
        replaying[key] = nil
        // The batch being gathered holds events from before this client: out with it first.
        if batchTimer != nil { sendBatches() }
        let audience = audiences[filter] ?? Audience()
        audiences[filter] = audience
        filters.insert(filter)
        audience.clients[key] = Client(request)
        filterOfClient[key] = filter
        if keepAlive == nil { armKeepAlive() }
    }

    /// Sends what is pending, then ends every stream: the server is about to exit.
    package func endAll() {
        sendBatches()
        let all = audiences.values.flatMap(\.clients.values).map(\.request) + replaying.values
        audiences = [:]
        filters = EventFilterIndex()
        filterOfClient = [:]
        replaying = [:]
        keepAlive = nil
        all.forEach { $0.endStream() }
    }

    private func remove(_ key: Int) {
        replaying[key] = nil
        guard let filter = filterOfClient.removeValue(forKey: key), let audience = audiences[filter] else { return }
        audience.clients[key] = nil
        if audience.clients.isEmpty {
            audiences[filter] = nil
            filters.remove(filter)
        }
    }

    private func sendBatches() {
        batchTimer = nil
        for audience in audiences.values where !audience.batch.isEmpty {
            let shared = SharedBytes(audience.batch)
            audience.batch = ""
            forEachLiveClient(of: audience) { $0.send(shared) }
        }
    }

    /// Calls `body` for each client of `audience` that keeps up; drops the others.
    private func forEachLiveClient(of audience: Audience, _ body: (HTTPRequest) -> Void) {
        let now = Clock.now()
        for (key, client) in audience.clients {
            if client.keepsUp(at: now) {
                body(client.request)
            } else {
                remove(key)
                client.request.closeConnection()
            }
        }
    }

    /// One timer for all clients, running while there are any.
    private func armKeepAlive() {
        keepAlive = loop.timer(after: EventStreams.keepAliveSeconds) { [unowned self] in
            let comment = SharedBytes(EventStreamText.keepAlive)
            for audience in self.audiences.values { self.forEachLiveClient(of: audience) { $0.send(comment) } }
            self.keepAlive = nil
            if !self.audiences.isEmpty { self.armKeepAlive() }
        }
    }
}
