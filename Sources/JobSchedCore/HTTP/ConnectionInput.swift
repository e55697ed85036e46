import CLibEvent

/// What one connection may buffer, seen from its bufferevent before evhttp parses anything.
///
/// - From the hand-over of a request until its reply is sent, evhttp parses nothing
///   more but keeps reading the socket (to see the client leave), and its output waits
///   for the client: a client that pipelined requests and never read the replies made
///   the server buffer all it sent. A read high-watermark makes the connection stop
///   reading once one request head's worth waits then, and once there is room for one
///   whole request the rest of the time; the kernel's buffers fill and the client
///   waits. Output is one reply at a time (evhttp reads the next request once it is out).
/// - The head of the request being read is measured as it arrives
///   (`RequestHeadScanner`); over the limit, the connection is answered 431 and closed
///   here, since evhttp would answer 400 from inside its parser.
final class ConnectionInput {
    private let bufferEvent: OpaquePointer
    private let headLimit: Int
    private let inputLimit: Int
    private var head: RequestHeadScanner
    private var refused = false

    init(bufferEvent: OpaquePointer, headLimit: Int, inputLimit: Int) {
        self.bufferEvent = bufferEvent
        self.headLimit = headLimit
        self.inputLimit = inputLimit
        head = RequestHeadScanner(limit: headLimit)
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, inputLimit)
        // Called as bytes are read, before the bufferevent's read callback (evhttp's) runs.
        evbuffer_add_cb(bufferevent_get_input(bufferEvent), { buffer, info, arg in
            guard let info, info.pointee.n_added > 0 else { return }
            Unmanaged<ConnectionInput>.fromOpaque(arg!).takeUnretainedValue()
                .scan(buffer!, from: evbuffer_get_length(buffer) - info.pointee.n_added)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A request was handed over: read ahead at most one head until its reply is complete.
    /// (So the bytes waiting when the next request starts never make a head over the limit.)
    func requestReceived(_ request: OpaquePointer) {
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, headLimit)
        evhttp_request_set_on_complete_cb(request, { _, arg in
            Unmanaged<ConnectionInput>.fromOpaque(arg!).takeUnretainedValue().requestCompleted()
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The reply is out; the next request starts with the bytes already read.
    private func requestCompleted() {
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, inputLimit)
        head = RequestHeadScanner(limit: headLimit)
        scan(bufferevent_get_input(bufferEvent), from: 0)
    }

    private func scan(_ buffer: OpaquePointer, from offset: Int) {
        guard !head.isComplete, !refused else { return }
        var position = evbuffer_ptr()
        guard evbuffer_ptr_set(buffer, &position, offset, EVBUFFER_PTR_SET) == 0 else { return }
        var chunk = iovec()
        while !head.isComplete && evbuffer_peek(buffer, -1, &position, &chunk, 1) > 0 {
            head.scan(UnsafeRawBufferPointer(start: chunk.iov_base, count: chunk.iov_len))
            if head.isTooLarge {
                refuseOversizeHead()
                return
            }
            guard evbuffer_ptr_set(buffer, &position, chunk.iov_len, EVBUFFER_PTR_ADD) == 0 else { return }
        }
    }

    /// Answers 431 and closes the connection once the reply is out, in evhttp's stead.
    private func refuseOversizeHead() {
        refused = true
        var argument: UnsafeMutableRawPointer?
        bufferevent_getcb(bufferEvent, nil, nil, nil, &argument)
        guard let argument else { return }
        // From now on the bufferevent's callbacks are ours, and evhttp could only fail
        // a parse it may still have queued: it must not hand this head to anyone.
        evhttp_connection_set_max_headers_size(OpaquePointer(argument), 0)
        bufferevent_disable(bufferEvent, Int16(EV_READ))
        bufferevent_setcb(bufferEvent, nil, { bufferEvent, arg in
            if evbuffer_get_length(bufferevent_get_output(bufferEvent)) == 0 { evhttp_connection_free(OpaquePointer(arg)) }
        }, { _, _, arg in evhttp_connection_free(OpaquePointer(arg)) }, argument)
        let text = "Error: the request line and headers exceed \(headLimit / 1024) KiB (\(headLimit) bytes)\n"
        var reply = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n" + text
        reply.withUTF8 { _ = bufferevent_write(bufferEvent, $0.baseAddress, $0.count) }
        bufferevent_enable(bufferEvent, Int16(EV_WRITE))
    }
}
