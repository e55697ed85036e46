import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// What went wrong between the client and its server, as one line for stderr.
struct ClientFailure: Error, CustomStringConvertible {
    let description: String
    /// The client's exit status for it.
    var status: Int32 = ClientExit.jobschedFailed

    static func badReply(from address: ServerAddress, _ why: String) -> ClientFailure {
        ClientFailure(description: "bad reply from \(address): \(why)", status: ClientExit.badReply)
    }
}

/// The command-line client's side of the HTTP API: one POST per call, on a
/// connection of its own, over TCP or the server's Unix socket. It believes
/// no more of a reply than jobsched would send: each wait is bounded by
/// `waits`, and a body is either printed as it comes or, where the client
/// reads it (an id, an error message), kept up to `ServerMessage.maxBytes`.
struct ServerClient {
    let address: ServerAddress
    let token: String?
    /// For https: how the server's certificate is checked.
    let trust: HTTPClientConnection.TLSTrust
    let waits: ServerWaits

    /// The server at `url`, else $JOBSCHED_URL, else the default; the token
    /// from `tokenFile`, else $JOBSCHED_TOKEN; for https, the certificate
    /// pinned by `fingerprint` ($JOBSCHED_FINGERPRINT), else the authorities
    /// of `cacert` ($JOBSCHED_CACERT), else the system's.
    init(url: String?, tokenFile: String?, cacert: String?, fingerprint: String?, waits: ServerWaits) throws(ClientFailure) {
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
        self.waits = waits
        if let pin = fingerprint ?? environmentVariable("JOBSCHED_FINGERPRINT") {
            guard let hex = TLSFingerprint.normalized(pin) else {
                throw ClientFailure(description: "--fingerprint must be a SHA-256 fingerprint, 64 hex digits with or without colons "
                                    + "(openssl x509 -in cert.pem -noout -fingerprint -sha256); got \(Excerpt.quoted(pin))", status: ClientExit.usage)
            }
            trust = .fingerprint(hex)
        } else {
            trust = .authorities(file: cacert ?? environmentVariable("JOBSCHED_CACERT"))
        }
    }

    /// Prints the body of a reply whose status is in `accepted` to stdout as
    /// it arrives, through `filter` (which may hold some back, or check it);
    /// any other status is the server's error, thrown. Returns the status.
    @discardableResult
    func printReply(_ endpoint: Endpoint, _ form: FormBody, accepting accepted: Set<Int> = [200],
                    through filter: ([UInt8]) throws(ClientFailure) -> [UInt8] = { $0 }) throws(ClientFailure) -> Int {
        var refusal = KeptBody()
        let status = try send(endpoint, form) { status, piece throws(ClientFailure) in
            if accepted.contains(status) {
                try printOut(try filter(piece))
            } else if !refusal.take(piece) {
                // Enough of the message: the rest need not be read.
                throw refusal.failure(status: status)
            }
        }
        guard accepted.contains(status) else { throw refusal.failure(status: status) }
        return status
    }

    /// The body of a 200 reply, for the client to read (an id); any other
    /// status is the server's error, thrown.
    func read(_ endpoint: Endpoint, _ form: FormBody) throws(ClientFailure) -> [UInt8] {
        var kept = KeptBody()
        let status = try send(endpoint, form) { status, piece throws(ClientFailure) in
            guard kept.take(piece) else {
                throw status == 200
                    ? .badReply(from: address, "a reply longer than \(ServerMessage.maxBytes) bytes where a short one was due")
                    : kept.failure(status: status)
            }
        }
        guard status == 200 else { throw kept.failure(status: status) }
        return kept.bytes
    }

    /// Writes to stdout; a stdout that is gone ends the client (also where SIGPIPE is ignored).
    func printOut(_ bytes: [UInt8]) throws(ClientFailure) {
        guard bytes.isEmpty || writeAll(bytes, to: 1) else {
            throw ClientFailure(description: "cannot write to stdout: \(errnoText())")
        }
    }

    /// What a pure reader of the reply found wrong with it, as the client's failure.
    func checked<T>(_ read: () throws(BadReply) -> T) throws(ClientFailure) -> T {
        do {
            return try read()
        } catch {
            throw .badReply(from: address, error.description)
        }
    }

    /// Sends the request; hands each piece of the reply's body to `body` with
    /// the reply's status, as it arrives (a sync submit streams for as long as
    /// its job runs). Returns the status.
    private func send(_ endpoint: Endpoint, _ form: FormBody,
                      body: (Int, [UInt8]) throws(ClientFailure) -> Void) throws(ClientFailure) -> Int {
        let connection = try connect()
        switch connection.send(request(endpoint, form)) {
        case .done: break
        case .timedOut: throw timedOut("take the request", after: waits.connect)
        case .failed(let reason): throw ClientFailure(description: "the server at \(address) closed the connection: \(reason)")
        }
        var decoder = HTTPResponseDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let headDeadline = waits.head.map { ContinuousClock.now + .seconds($0) }
        while !decoder.isComplete {
            // The head has a deadline; the body, a limit on each stall.
            let limit = if let status = decoder.status { waits.bodyStall(status: status) } else { waits.head }
            let deadline = decoder.status == nil ? headDeadline : limit.map { ContinuousClock.now + .seconds($0) }
            let count: Int
            switch connection.receive(into: &buffer, before: deadline) {
            case .done(let n): count = n
            case .timedOut: throw timedOut(decoder.status == nil ? "start its reply" : "send more of its reply", after: limit)
            case .failed(let reason): throw ClientFailure(description: "lost the connection to \(address): \(reason)")
            }
            guard count > 0 else {
                // A reply cut short: the server went away (a crash, a restart), not a bad reply.
                do { try decoder.finish() } catch { throw ClientFailure(description: "lost the connection to \(address): \(error.reason)") }
                break
            }
            let piece: [UInt8]
            do { piece = try decoder.feed(buffer[..<count]) } catch { throw .badReply(from: address, error.reason) }
            if !piece.isEmpty { try body(decoder.status ?? 0, piece) }
        }
        return decoder.status ?? 0
    }

    private func connect() throws(ClientFailure) -> HTTPClientConnection {
        var connection = try connectPlain()
        guard case let .https(host, _) = address else { return connection }
        do {
            try connection.startTLS(host: host, trust: trust, timeout: waits.connect)
        } catch {
            let hint = if case .authorities = trust { " (give --cacert FILE, or pin it with --fingerprint SHA256)" } else { "" }
            throw ClientFailure(description: "cannot talk to \(address) safely: \(error)\(error.description.contains("does not verify") ? hint : "")")
        }
        return connection
    }

    private func connectPlain() throws(ClientFailure) -> HTTPClientConnection {
        do {
            switch address {
            case let .tcp(host, port), let .https(host, port): return try .connect(host: host, port: port, timeout: waits.connect)
            case let .unix(path): return try .connect(unixSocket: path, timeout: waits.connect)
            }
        } catch {
            switch error.kind {
            case .refused:
                // At the default address, the command that starts one there, in the background.
                let start = address == .default ? "`jobsched serve --detach` (in the background; `jobsched` in the foreground)" : "`jobsched`"
                throw ClientFailure(description: "no jobsched server at \(address): start one with \(start)")
            case .timedOut: throw timedOut("take the connection", after: waits.connect)
            case .other: throw ClientFailure(description: "cannot reach the jobsched server at \(address): \(error)")
            }
        }
    }

    private func timedOut(_ what: String, after seconds: Double?) -> ClientFailure {
        ClientFailure(description: "the server at \(address) did not \(what) within \(Timestamp.seconds(seconds ?? 0))s (see --server-timeout)")
    }

    private func request(_ endpoint: Endpoint, _ form: FormBody) -> [UInt8] {
        let host: String
        switch address {
        case let .tcp(name, port), let .https(name, port): host = ServerAddress.authority(name, port)
        case .unix: host = "localhost"
        }
        var head = "POST /\(endpoint.rawValue) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.text.utf8.count)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        return Array((head + "\r\n" + form.text).utf8)
    }
}

/// A reply body the client reads rather than prints: at most `ServerMessage.maxBytes` of it.
private struct KeptBody {
    private(set) var bytes: [UInt8] = []
    private var isCut = false

    /// Keeps what fits; false once the body goes past the limit.
    mutating func take(_ piece: [UInt8]) -> Bool {
        let room = ServerMessage.maxBytes - bytes.count
        bytes += piece.prefix(room)
        isCut = piece.count > room
        return !isCut
    }

    /// The server's refusal with `status`, in its own words.
    func failure(status: Int) -> ClientFailure {
        ClientFailure(description: ServerMessage.line(status: status, reply: bytes, isCut: isCut))
    }
}
