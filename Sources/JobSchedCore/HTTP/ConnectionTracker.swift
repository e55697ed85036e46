import CLibEvent

/// Counts evhttp's open connections, keeps them under a bound, and owns their
/// close callbacks.
///
/// libevent 2.1 has no connection limit and no new-connection callback. What it
/// has: evhttp asks for each accepted connection's bufferevent (`bevcb`), and
/// once the connection is set up, that bufferevent's callback argument is the
/// connection. So a new bufferevent is counted at once, and its connection is
/// picked up by a deferred event later in the same loop iteration (before any
/// I/O on it can happen) to set the close callback that counts it out.
///
/// At the bound, `onLimit(true)` lets the owner stop accepting, so further
/// clients wait in the kernel's backlog instead of being accepted and dropped;
/// a connection accepted past the bound all the same (same accept batch) is closed.
///
/// It also bounds what each connection buffers. From the hand-over of a request
/// until its reply is sent, evhttp parses nothing more but keeps reading the socket
/// (to see the client leave), and its output waits for the client: a client that
/// pipelines requests and never reads the replies made the server buffer all it
/// sent. A read high-watermark makes a connection stop reading once
/// `pipelinedInputLimit` bytes wait during that time, and `inputLimit` (room for one
/// whole request) at any time; then the kernel's buffers fill and the client waits.
/// Output is one reply at a time (evhttp reads the next request only once it is out).
final class ConnectionTracker {
    let limit: Int
    let inputLimit: Int
    static let pipelinedInputLimit = 64 * 1024
    /// Bufferevents of new connections not yet picked up.
    private var pending: [OpaquePointer] = []
    private var open: Set<OpaquePointer> = []
    private var closeHandlers: [OpaquePointer: () -> Void] = [:]
    private var adopt: Event?
    private var atLimit = false
    var onLimit: (Bool) -> Void = { _ in }

    var count: Int { pending.count + open.count }

    init(loop: EventLoop, limit: Int, inputLimit: Int) {
        self.limit = limit
        self.inputLimit = inputLimit
        adopt = loop.deferredEvent { [unowned self] in self.adoptPending() }
    }

    /// evhttp's `bevcb`: the bufferevent for a connection just accepted.
    func newConnection(base: OpaquePointer) -> OpaquePointer? {
        let bufferEvent = bufferevent_socket_new(base, -1, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
        if let bufferEvent {
            bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, inputLimit)
            pending.append(bufferEvent)
            adopt?.activate()
            update()
        }
        return bufferEvent
    }

    /// A request handed over: its connection reads ahead only a little until the reply is complete.
    func requestReceived(_ request: OpaquePointer) {
        guard let connection = evhttp_request_get_connection(request) else { return }
        bufferevent_setwatermark(evhttp_connection_get_bufferevent(connection), Int16(EV_READ), 0,
                                 ConnectionTracker.pipelinedInputLimit)
        evhttp_request_set_on_complete_cb(request, { request, arg in
            let tracker = Unmanaged<ConnectionTracker>.fromOpaque(arg!).takeUnretainedValue()
            guard let connection = evhttp_request_get_connection(request) else { return }
            bufferevent_setwatermark(evhttp_connection_get_bufferevent(connection), Int16(EV_READ), 0, tracker.inputLimit)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Calls `handler` once if the connection closes; nil forgets it.
    func setCloseHandler(_ connection: OpaquePointer, _ handler: (() -> Void)?) {
        guard open.contains(connection) else { return }
        closeHandlers[connection] = handler
    }

    private func adoptPending() {
        let new = pending
        pending = []
        var refused = false
        // evhttp frees a new connection before this point only if it cannot
        // allocate its first request (out of memory); that case is not handled.
        for bufferEvent in new {
            var argument: UnsafeMutableRawPointer?
            bufferevent_getcb(bufferEvent, nil, nil, nil, &argument)
            guard let argument else { continue }
            let connection = OpaquePointer(argument)
            guard open.count < limit else {
                evhttp_connection_free(connection)
                refused = true
                continue
            }
            open.insert(connection)
            evhttp_connection_set_closecb(connection, { connection, arg in
                Unmanaged<ConnectionTracker>.fromOpaque(arg!).takeUnretainedValue().closed(connection!)
            }, Unmanaged.passUnretained(self).toOpaque())
        }
        update()
        // A listener re-enabled meanwhile (after a pause for lack of descriptors) stops again.
        if refused && atLimit { onLimit(true) }
    }

    private func closed(_ connection: OpaquePointer) {
        open.remove(connection)
        let handler = closeHandlers.removeValue(forKey: connection)
        update()
        handler?()
    }

    private func update() {
        let now = count >= limit
        guard now != atLimit else { return }
        atLimit = now
        onLimit(now)
    }
}
