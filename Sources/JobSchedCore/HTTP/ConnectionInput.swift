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
final class ConnectionInput {
    private let bufferEvent: OpaquePointer
    private let headLimit: Int
    private let inputLimit: Int

    init(bufferEvent: OpaquePointer, headLimit: Int, inputLimit: Int) {
        self.bufferEvent = bufferEvent
        self.headLimit = headLimit
        self.inputLimit = inputLimit
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, inputLimit)
    }

    /// A request was handed over: read ahead at most one head until its reply is complete.
    func requestReceived(_ request: OpaquePointer) {
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, headLimit)
        evhttp_request_set_on_complete_cb(request, { _, arg in
            Unmanaged<ConnectionInput>.fromOpaque(arg!).takeUnretainedValue().requestCompleted()
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The reply is out: room for the next whole request.
    private func requestCompleted() {
        bufferevent_setwatermark(bufferEvent, Int16(EV_READ), 0, inputLimit)
    }
}
