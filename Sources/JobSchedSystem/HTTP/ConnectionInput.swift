import CLibEvent
import JobSchedModel

/// What one connection may buffer, seen from its bufferevent before evhttp parses anything.
///
/// - From the hand-over of a request until its reply is sent, evhttp parses nothing
///   more but keeps reading the socket (to see the client leave), and its output waits
///   for the client: a client that pipelined requests and never read the replies made
///   the server buffer all it sent. A read high-watermark makes the connection stop
///   reading once one request head's worth waits then, and once there is room for one
///   whole request the rest of the time; the kernel's buffers fill and the client
///   waits. Output is one reply at a time (evhttp reads the next request once it is out).
/// - The request being read is followed as it arrives (`RequestScanner`): a head over
///   the limit (431) and a malformed chunk size (400) are answered here, and the
///   connection closed, since evhttp would answer 400 and 413 from inside its parser.
package final class ConnectionInput {
    private let bufferEvent: OpaquePointer
    private let loop: EventLoop
    private let headLimit: Int
    private let inputLimit: Int
    private var scanner: RequestScanner
    private var refused = false
    private var deferredRefusal: Event?

    package init(bufferEvent: OpaquePointer, loop: EventLoop, headLimit: Int, inputLimit: Int) {
        self.bufferEvent = bufferEvent
        self.loop = loop
        self.headLimit = headLimit
        self.inputLimit = inputLimit
        scanner = RequestScanner(headLimit: headLimit)
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, inputLimit)
        // Called as bytes are read, before the bufferevent's read callback (evhttp's) runs.
        evbuffer_add_cb(bufferevent_get_input(bufferEvent), { buffer, info, arg in
            guard let info, info.pointee.n_added > 0 else { return }
            let input = Unmanaged<ConnectionInput>.fromOpaque(arg!).takeUnretainedValue()
            if input.scan(buffer!, from: evbuffer_get_length(buffer) - info.pointee.n_added) { input.refuse() }
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A request was handed over: read ahead at most one head until its reply is complete.
    package func requestReceived(_ request: OpaquePointer) {
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, headLimit)
        evhttp_request_set_on_complete_cb(request, { _, arg in
            Unmanaged<ConnectionInput>.fromOpaque(arg!).takeUnretainedValue().requestCompleted()
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The reply is out; the next request starts with the bytes already read.
    private func requestCompleted() {
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, inputLimit)
        scanner = RequestScanner(headLimit: headLimit)
        guard scan(bufferevent_get_input(bufferEvent), from: 0) else { return }
        // evhttp is still finishing the reply and will then set the connection up for
        // the next request: refuse once it has, later in this loop iteration.
        let refusal = loop.deferredEvent { [unowned self] in self.refuse() }
        refusal.activate()
        deferredRefusal = refusal
    }

    /// Scans the bytes from `offset` on; true if the request must be refused.
    private func scan(_ buffer: OpaquePointer, from offset: Int) -> Bool {
        guard !scanner.isDone, !refused else { return false }
        var position = evbuffer_ptr()
        guard evbuffer_ptr_set(buffer, &position, offset, EVBUFFER_PTR_SET) == 0 else { return false }
        var chunk = iovec()
        while !scanner.isDone && evbuffer_peek(buffer, -1, &position, &chunk, 1) > 0 {
            scanner.scan(UnsafeRawBufferPointer(start: chunk.iov_base, count: chunk.iov_len))
            if scanner.refusal != nil { return true }
            guard evbuffer_ptr_set(buffer, &position, chunk.iov_len, EVBUFFER_PTR_ADD) == 0 else { return false }
        }
        return false
    }

    /// Answers the refusal and closes the connection once the reply is out, in evhttp's stead.
    private func refuse() {
        guard !refused, let refusal = scanner.refusal else { return }
        refused = true
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(bufferEvent, nil, nil, nil, &argument)
        guard let argument else { return }
        // The bufferevent's callbacks become ours, and with the input gone a parse that
        // evhttp may still have queued finds nothing to read.
        let input = bufferevent_get_input(bufferEvent)
        evbuffer_drain(input, evbuffer_get_length(input))
        bufferevent_disable(bufferEvent, Int16(EV_READ))
        bufferevent_setcb(bufferEvent, nil, { bufferEvent, arg in
            if evbuffer_get_length(bufferevent_get_output(bufferEvent)) == 0 { evhttp_connection_free(OpaquePointer(arg)) }
        }, { _, _, arg in evhttp_connection_free(OpaquePointer(arg)) }, argument)
        let (status, text) = switch refusal {
        case .headTooLarge: ("431 Request Header Fields Too Large",
                             "Error: the request line and headers exceed \(headLimit / 1024) KiB (\(headLimit) bytes)\n")
        case .badChunkSize: ("400 Bad Request", "Error: malformed chunk size in the chunked body\n")
        }
        var reply = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n" + text
        reply.withUTF8 { _ = bufferevent_write(bufferEvent, $0.baseAddress, $0.count) }
        bufferevent_enable(bufferEvent, Int16(EV_WRITE))
    }
}
