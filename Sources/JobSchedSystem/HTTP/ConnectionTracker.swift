import CLibEvent
import JobSchedModel

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
/// It also keeps each connection's `ConnectionInput`, which bounds what it
/// buffers, and closes a TLS connection whose handshake has not finished
/// within `handshakeSeconds` (a handshake counts as a connection meanwhile).
package final class ConnectionTracker {
    package let limit: Int
    private let loop: EventLoop
    private let headLimit: Int
    private let inputLimit: Int
    /// Bufferevents of new connections not yet picked up.
    private var pending: [OpaquePointer] = []
    private var open: Set<OpaquePointer> = []
    private var closeHandlers: [OpaquePointer: () -> Void] = [:]
    /// By bufferevent, from its creation until its connection closes.
    private var inputs: [OpaquePointer: ConnectionInput] = [:]
    private var adopt: Event?
    /// TLS bufferevents not yet picked up, and the deadlines of the handshakes under way.
    private var pendingTLS: Set<OpaquePointer> = []
    private var handshakeDeadlines: [OpaquePointer: Event] = [:]
    package static let handshakeSeconds = 10.0
    private var atLimit = false
    package var onLimit: (Bool) -> Void = { _ in }

    package var count: Int { pending.count + open.count }

    /// `headLimit`: the largest request line and headers; `inputLimit`: room for the largest request.
    package init(loop: EventLoop, limit: Int, headLimit: Int, inputLimit: Int) {
        self.limit = limit
        self.loop = loop
        self.headLimit = headLimit
        self.inputLimit = inputLimit
        adopt = loop.deferredEvent { [unowned self] in self.adoptPending() }
    }

    /// evhttp's `bevcb`: the bufferevent for a connection just accepted, which
    /// does a TLS handshake first when `tls` is given.
    package func newConnection(base: OpaquePointer, tls: TLSServerContext? = nil) -> OpaquePointer? {
        let bufferEvent = tls.map { $0.acceptingBufferEvent(base: base) } ?? bufferevent_socket_new(base, -1, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
        if let bufferEvent {
            if tls != nil {
                pendingTLS.insert(bufferEvent)
                sendRepliesWhole(bufferEvent)
            }
            inputs[bufferEvent] = ConnectionInput(bufferEvent: bufferEvent, loop: loop, headLimit: headLimit,
                                                  inputLimit: inputLimit)
            pending.append(bufferEvent)
            adopt?.activate()
            update()
        }
        return bufferEvent
    }

    /// A request handed over to the server's handler.
    package func requestReceived(_ request: OpaquePointer) {
        guard let connection = evhttp_request_get_connection(request) else { return }
        inputs[evhttp_connection_get_bufferevent(connection)]?.requestReceived(request)
    }

    /// Calls `handler` once if the connection closes; nil forgets it.
    package func setCloseHandler(_ connection: OpaquePointer, _ handler: (() -> Void)?) {
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
            let isTLS = pendingTLS.remove(bufferEvent) != nil
            guard let argument else {
                inputs[bufferEvent] = nil
                continue
            }
            let connection = OpaquePointer(argument)
            guard open.count < limit else {
                evhttp_connection_free(connection)
                inputs[bufferEvent] = nil
                refused = true
                continue
            }
            open.insert(connection)
            evhttp_connection_set_closecb(connection, { connection, arg in
                Unmanaged<ConnectionTracker>.fromOpaque(arg!).takeUnretainedValue().closed(connection!)
            }, Unmanaged.passUnretained(self).toOpaque())
            if isTLS {
                // Nagle's algorithm would hold a reply's second record for the
                // client's delayed ACK: 40 ms on Linux.
                sendWithoutDelay(bufferevent_getfd(bufferEvent))
                armHandshakeDeadline(connection, bufferEvent)
            }
        }
        update()
        // A listener re-enabled meanwhile (after a pause for lack of descriptors) stops again.
        if refused && atLimit { onLimit(true) }
    }

    /// A TLS bufferevent writes each piece of its output (a reply's head, its
    /// body) as a record of its own, each a system call: while the output
    /// holds no more than a record's 16 KiB, what is added is joined to it, so
    /// that a small reply goes out as one record in one write, as a plain one does.
    private func sendRepliesWhole(_ bufferEvent: OpaquePointer) {
        evbuffer_add_cb(bufferevent_get_output(bufferEvent), { buffer, info, _ in
            guard let buffer, let info, info.pointee.n_added > 0, evbuffer_get_length(buffer) <= 16 * 1024 else { return }
            evbuffer_pullup(buffer, -1)
        }, nil)
    }

    /// A client that has not finished its handshake in time is let go: a
    /// half-sent ClientHello holds a connection (and its count) until then.
    private func armHandshakeDeadline(_ connection: OpaquePointer, _ bufferEvent: OpaquePointer) {
        handshakeDeadlines[connection] = loop.timer(after: ConnectionTracker.handshakeSeconds) { [unowned self] in
            handshakeDeadlines[connection] = nil
            if !TLSServerContext.handshakeDone(bufferEvent) { evhttp_connection_free(connection) }
        }
    }

    /// Bytes replies have handed to the open connections and the sockets have not taken yet.
    package var unsentBytes: Int {
        open.reduce(0) { $0 + evbuffer_get_length(bufferevent_get_output(evhttp_connection_get_bufferevent($1))) }
    }

    private func closed(_ connection: OpaquePointer) {
        open.remove(connection)
        handshakeDeadlines[connection] = nil
        inputs[evhttp_connection_get_bufferevent(connection)] = nil
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
