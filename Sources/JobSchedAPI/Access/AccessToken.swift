import JobSchedModel

/// The bearer token, from `--token-file` or `JOBSCHED_TOKEN`.
public enum AccessToken {
    /// The token in a token file's text: surrounding whitespace (a trailing
    /// newline) is dropped; it must be non-empty printable ASCII with no spaces.
    public static func parse(_ text: String, source: String) throws(ServerError) -> String {
        let token = String(text.trimming(\.isWhitespace))
        guard !token.isEmpty else { throw ServerError("the token in \(source) is empty") }
        guard token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            throw ServerError("the token in \(source) must be printable ASCII without spaces")
        }
        return token
    }
}
