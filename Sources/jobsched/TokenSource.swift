import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// The client's token: from `--token-file`, else from JOBSCHED_TOKEN.
func loadToken(file: String?, environment: (String) -> String?) throws(ServerError) -> String? {
    if let file { return try AccessToken.parse(try tokenFileText(file), source: "token file '\(file)'") }
    guard let text = environment("JOBSCHED_TOKEN") else { return nil }
    return try AccessToken.parse(text, source: "JOBSCHED_TOKEN")
}

/// The server's tokens: the lines of `--token-file` (names and roles,
/// `TokenFile`), else JOBSCHED_TOKEN as one admin token, which is taken out of
/// the environment so that no job inherits it.
func loadTokens(file: String?) throws(ServerError) -> [NamedToken] {
    let fromEnvironment = takeEnvironmentVariable("JOBSCHED_TOKEN")
    if let file { return try TokenFile.parse(try tokenFileText(file), source: "token file '\(file)'") }
    return try fromEnvironment.map { text throws(ServerError) in [.admin(try AccessToken.parse(text, source: "JOBSCHED_TOKEN"))] } ?? []
}

/// `--webhook-secret-file`: its content less surrounding whitespace, not empty.
func loadWebhookSecret(file: String) throws(ServerError) -> [UInt8] {
    let secret: String
    do {
        secret = String(String(decoding: try readWholeFile(file), as: UTF8.self).trimming(\.isWhitespace))
    } catch {
        throw ServerError("cannot read webhook secret file '\(file)': \(error)")
    }
    guard !secret.isEmpty else { throw ServerError("webhook secret file '\(file)' is empty") }
    return Array(secret.utf8)
}

private func tokenFileText(_ file: String) throws(ServerError) -> String {
    do {
        return String(decoding: try readWholeFile(file), as: UTF8.self)
    } catch {
        throw ServerError("cannot read token file '\(file)': \(error)")
    }
}
