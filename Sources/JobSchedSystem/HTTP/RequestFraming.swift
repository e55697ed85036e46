import JobSchedModel

/// The framing rules of RFC 9112 that evhttp does not enforce: a pure decision on the
/// headers that say where a request ends and which host it is for.
///
/// evhttp takes the first `Content-Length` and ignores the others, accepts `+19`, lets
/// `Transfer-Encoding` win over `Content-Length`, reads no body for a `Transfer-Encoding`
/// other than `chunked`, and none for a GET: the bytes it did not take as the body are then
/// read as the next request on the connection. A request that fails here is answered and
/// its connection closed, so those bytes never run.
package struct RequestFraming {
    /// Whether evhttp reads a body for the method (POST, PUT, PATCH).
    package var methodHasBody: Bool
    package var contentLengths: [String] = []
    package var transferEncodings: [String] = []
    package var hostCount = 0
    /// HTTP/1.0: old tools and health checkers, which may send no Host.
    package var isHTTP10 = false

    /// The error to answer with, or nil for a well-framed request.
    package var problem: RequestError? {
        // RFC 9112 3.2 asks it of HTTP/1.1 only. Browsers always send one, so an
        // HTTP/1.0 request without it is no DNS-rebinding attempt (the check needs a Host).
        if hostCount > 1 { return .badRequest("more than one Host header") }
        if hostCount == 0 && !isHTTP10 { return .badRequest("a Host header is required") }
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty { return .badRequest("Content-Length and Transfer-Encoding together") }
            guard transferEncodings.count == 1, transferEncodings[0].lowercased() == "chunked" else {
                return RequestError(status: 501, message: "only Transfer-Encoding: chunked is supported")
            }
        }
        for value in contentLengths where value.isEmpty || !value.utf8.allSatisfy(isASCIIDigit) {
            return .badRequest("invalid Content-Length \(Excerpt.quoted(value))")
        }
        if contentLengths.contains(where: { $0 != contentLengths[0] }) {
            return .badRequest("differing Content-Length values")
        }
        let hasBody = !transferEncodings.isEmpty || contentLengths.contains { $0.utf8.contains { $0 != UInt8(ascii: "0") } }
        if hasBody && !methodHasBody { return .badRequest("a request with this method has no body") }
        return nil
    }
}
