/// Every parser of untrusted request bytes in one call, for the fuzz target
/// (`jobsched-fuzz`) and its corpus replay test.
public enum UntrustedInput {
    /// Byte 0 picks the command (low 3 bits) and the encoding (bit 3:
    /// multipart, whose first line is then the Content-Type); the rest is the
    /// form. Malformed input must end in a `RequestError`, never in a trap.
    public static func parse(_ data: UnsafeRawBufferPointer) {
        guard let selector = data.first else { return }
        let command = Command.allCases[Int(selector & 7) % Command.allCases.count]
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
            let parameters = try Parameters(pairs, for: command)
            switch command {
            case .help: _ = try HelpRequest(parameters)
            case .submit: _ = try SubmitRequest(parameters)
            case .jobinfo: _ = try JobInfoRequest(parameters)
            case .kill: _ = try KillRequest(parameters)
            case .wait: _ = try WaitRequest(parameters)
            case .shutdown: _ = try parameters.format
            }
        } catch {
            // A refused input is a correct outcome.
        }
    }
}
