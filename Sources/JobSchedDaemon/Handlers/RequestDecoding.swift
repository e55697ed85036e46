import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension RequestHandlers {
    /// Query-string parameters, then body parameters: for a repeated name the last wins, so the body does.
    /// With `lines=1` in the query string the body is a batch of commands, not a form.
    package static func parameterPairs(of request: HTTPRequest) throws(RequestError) -> [(String, String)] {
        var pairs = try request.query.map { q throws(RequestError) in try FormDecoding.decodeURLEncoded(q.utf8) } ?? []
        let bodyIsLines = pairs.last(where: { $0.0 == "lines" })?.1 == "1"
        guard request.method == .post, !request.body.isEmpty, !bodyIsLines else { return pairs }
        let contentType = request.header("Content-Type") ?? "application/x-www-form-urlencoded"
        // The common case first: parsing the content type as multipart showed in profiles of /submit.
        if FormDecoding.isURLEncoded(contentType: contentType) {
            pairs += try FormDecoding.decodeURLEncoded(request.body)
        } else if let boundary = FormDecoding.multipartBoundary(contentType: contentType) {
            pairs += try FormDecoding.decodeMultipart(request.body, boundary: boundary)
        } else {
            throw RequestError(status: 415, message: "unsupported Content-Type \(Excerpt.quoted(contentType)); send a form (curl --data or -F)")
        }
        if pairs.last(where: { $0.0 == "lines" })?.1 == "1" {
            throw RequestError.badRequest("lines= goes in the query string: with lines=1 the body holds the commands")
        }
        return pairs
    }
}
