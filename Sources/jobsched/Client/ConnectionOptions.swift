import ArgumentParser
import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// Where the server is and the token it asks for: every client subcommand takes these.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server: http://HOST:PORT, HOST:PORT, :PORT or unix:PATH (default: $JOBSCHED_URL, else 127.0.0.1:4321).",
                               valueName: "url"))
    var url: String?

    @Option(name: .customLong("token-file"), help: "File holding the server's token (default: $JOBSCHED_TOKEN).")
    var tokenFile: String?

    func client() throws(ClientFailure) -> ServerClient {
        do {
            let address = try (url ?? environmentVariable("JOBSCHED_URL")).map { text throws(ServerError) in
                try ServerAddress(parsing: text)
            } ?? .default
            return ServerClient(address: address, token: try loadToken(file: tokenFile, environment: environmentVariable))
        } catch {
            throw ClientFailure(description: error.description)
        }
    }
}
