import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// The token from `--token-file`, else from JOBSCHED_TOKEN as `environment`
/// reads it (the server takes it out of its environment; a client only reads it).
func loadToken(file: String?, environment: (String) -> String?) throws(ServerError) -> String? {
    if let file {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(file)
        } catch {
            throw ServerError("cannot read token file '\(file)': \(error)")
        }
        return try AccessToken.parse(String(decoding: bytes, as: UTF8.self), source: "token file '\(file)'")
    }
    guard let text = environment("JOBSCHED_TOKEN") else { return nil }
    return try AccessToken.parse(text, source: "JOBSCHED_TOKEN")
}
