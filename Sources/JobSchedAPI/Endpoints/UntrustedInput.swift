import JobSchedModel

/// Every parser of untrusted request bytes in one call, for the fuzz target
/// (`jobsched-fuzz`) and its corpus replay test.
public enum UntrustedInput {
    /// Byte 0 picks the encoding (bit 3: multipart, whose first line is then
    /// the Content-Type) and the endpoint (the other bits); the rest is the
    /// form, and for a batch submit the body too; 0xFF makes the rest a token
    /// file's text (`TokenFile`). Malformed input must end in
    /// a `RequestError`, never in a trap.
    public static func parse(_ data: UnsafeRawBufferPointer) {
        guard let selector = data.first else { return }
        if selector == tokenFileSelector {
            _ = try? TokenFile.parse(String(decoding: data.dropFirst(), as: UTF8.self), source: "token file")
            return
        }
        let endpoint = endpoint(selector: selector)
        var rest = Array(data.dropFirst())
        do {
            let pairs: [(String, String)]
            if selector & 8 != 0 {
                let newline = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
                let contentType = String(decoding: rest[..<newline], as: UTF8.self)
                rest = Array(rest[min(newline + 1, rest.endIndex)...])
                guard let boundary = FormDecoding.multipartBoundary(contentType: contentType) else { return }
                pairs = try FormDecoding.decodeMultipart(rest, boundary: boundary)
            } else {
                pairs = try FormDecoding.decodeURLEncoded(rest)
            }
            _ = try EndpointRequest(endpoint, pairs, body: rest)
        } catch {
            // A refused input is a correct outcome.
        }
    }

    /// Byte 0 that makes the rest a `--token-file`'s text rather than a request.
    static let tokenFileSelector: UInt8 = 0xFF

    /// The endpoint byte 0 picks: bits 0-2 and 4-7 (bit 3 is the encoding).
    static func endpoint(selector: UInt8) -> Endpoint {
        Endpoint.allCases[(Int(selector & 7) | Int(selector >> 4) << 3) % Endpoint.allCases.count]
    }
}
