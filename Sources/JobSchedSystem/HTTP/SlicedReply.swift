/// A reply made and sent a slice at a time, so that a reply of any size
/// holds the loop for one slice at a time and costs the server one slice of
/// memory however slowly its client reads: the next slice is made only once
/// the connection has written out the one before. A reply that fits in one
/// slice goes as one, with its length; a longer one is chunked. A client that
/// leaves mid-reply frees it at once.
package final class SlicedReply {
    /// What a slice is: text with more to come, the last text, or a failure
    /// that ends the reply cut short (the connection is closed without the
    /// chunked end, so the client sees it incomplete).
    package enum Slice {
        case more(String)
        case last(String)
        case broken
    }

    private let request: HTTPRequest
    private var makeSlice: (() -> Slice)?
    /// Runs the next slice from the loop when one came out empty (no write to wait for).
    private var nextTurn: Event?

    private init(request: HTTPRequest, makeSlice: @escaping () -> Slice) {
        self.request = request
        self.makeSlice = makeSlice
    }

    /// Sends `first`, then the slices `makeSlice` makes, until the last.
    package static func send(_ request: HTTPRequest, status: Int32 = 200, contentType: String, first: Slice,
                             then makeSlice: @escaping () -> Slice) {
        switch first {
        case .last(let text):
            request.respond(status: status, body: text, contentType: contentType)
        case .broken:
            request.closeConnection()
        case .more(let text):
            // HEAD: the head alone, however long the body would be.
            guard request.method != .head else { return request.respond(status: status, body: "", contentType: contentType) }
            let reply = SlicedReply(request: request, makeSlice: makeSlice)
            // The reply lives as long as its client or its slices: it is kept by its own pending write.
            request.startStream(status: status, contentType: contentType) { [reply] in reply.stop() }
            reply.write(text)
        }
    }

    private func write(_ text: String) {
        guard !text.isEmpty else {
            nextTurn = request.loop.timer(after: 0) { [self] in
                nextTurn = nil
                sendNext()
            }
            return
        }
        request.send(text) { [self] in sendNext() }
    }

    private func sendNext() {
        guard let makeSlice else { return }
        switch makeSlice() {
        case .more(let text): write(text)
        case .last(let text):
            request.send(text)
            stop()
            request.endStream()
        case .broken:
            stop()
            request.closeConnection()
        }
    }

    private func stop() {
        makeSlice = nil
        nextTurn = nil
    }
}
