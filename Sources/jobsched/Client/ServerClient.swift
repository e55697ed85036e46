import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// What went wrong between the client and its server, as one line for stderr.
struct ClientFailure: Error, CustomStringConvertible {
    let description: String
}

/// The command-line client's side of the HTTP API: one POST per call, on a
/// connection of its own, over TCP or the server's Unix socket.
struct ServerClient {
    let address: ServerAddress
    let token: String?

    /// The server at `url`, else $JOBSCHED_URL, else the default; the token
    /// from `tokenFile`, else $JOBSCHED_TOKEN.
    init(url: String?, tokenFile: String?) throws(ClientFailure) {
        do {
            address = try (url ?? environmentVariable("JOBSCHED_URL")).map { text throws(CommandLineError) in
                try ServerAddress(parsing: text)
            } ?? .default
        } catch {
            throw ClientFailure(description: error.description)
        }
        do {
            token = try loadToken(file: tokenFile, environment: environmentVariable)
        } catch {
            throw ClientFailure(description: error.description)
        }
    }

    /// Sends the request; hands each piece of the reply's body to `body` with
    /// the reply's status, as it arrives (a sync submit streams for as long as
    /// its job runs). Returns the status.
    @discardableResult
    func send(_ endpoint: Endpoint, _ form: FormBody, body: (Int, [UInt8]) -> Void) throws(ClientFailure) -> Int {
        let connection: HTTPClientConnection
        do {
            switch address {
            case let .tcp(host, port): connection = try .connect(host: host, port: port)
            case let .unix(path): connection = try .connect(unixSocket: path)
            }
        } catch {
            throw ClientFailure(description: error.isRefused
                ? "no jobsched server at \(address): start one with `jobsched`"
                : "cannot reach the jobsched server at \(address): \(error)")
        }
        guard connection.send(request(endpoint, form)) else {
            throw ClientFailure(description: "the server at \(address) closed the connection: \(errnoText())")
        }
        var decoder = HTTPResponseDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !decoder.isComplete {
            guard let count = connection.receive(into: &buffer) else {
                throw ClientFailure(description: "lost the connection to \(address): \(errnoText())")
            }
            do {
                if count == 0 {
                    try decoder.finish()
                } else {
                    try decoder.feed(buffer[..<count], body: body)
                }
            } catch {
                throw ClientFailure(description: "bad reply from \(address): \(error.reason)")
            }
            if count == 0 { break }
        }
        return decoder.status ?? 0
    }

    /// The whole reply of a request that must succeed: its text, or the
    /// server's message thrown for any status but 200.
    func text(_ endpoint: Endpoint, _ form: FormBody = FormBody()) throws(ClientFailure) -> String {
        let (status, text) = try reply(endpoint, form)
        guard status == 200 else { throw ServerClient.failure(status: status, text: text) }
        return text
    }

    /// The whole reply, whatever its status.
    func reply(_ endpoint: Endpoint, _ form: FormBody) throws(ClientFailure) -> (status: Int, text: String) {
        var bytes: [UInt8] = []
        let status = try send(endpoint, form) { bytes += $1 }
        return (status, String(decoding: bytes, as: UTF8.self))
    }

    /// The server's own message (`Error: unknown job id 9`) for a failed request.
    static func failure(status: Int, text: String) -> ClientFailure {
        var message = Substring(text)
        if message.hasPrefix("Error: ") { message = message.dropFirst(7) }
        while message.last == "\n" { message = message.dropLast() }
        return ClientFailure(description: message.isEmpty ? "the server answered \(status)" : String(message))
    }

    private func request(_ endpoint: Endpoint, _ form: FormBody) -> [UInt8] {
        let host: String
        switch address {
        case let .tcp(name, port): host = (name.contains(":") ? "[\(name)]" : name) + ":\(port)"
        case .unix: host = "localhost"
        }
        var head = "POST /\(endpoint.rawValue) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.text.utf8.count)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        return Array((head + "\r\n" + form.text).utf8)
    }
}
