import JobSchedModel

/// Where the command-line client finds its server: `--url`, else
/// `JOBSCHED_URL`, else 127.0.0.1:4321, the server's own default.
package enum ServerAddress: Equatable, Sendable {
    case tcp(host: String, port: Int)
    /// TCP with TLS (`https://`): a server started with --tls-cert or --tls-self-signed.
    case https(host: String, port: Int)
    case unix(path: String)

    package static let `default` = ServerAddress.tcp(host: "127.0.0.1", port: 4321)

    /// Takes what a user would type: `http://HOST:PORT`, `https://HOST:PORT`, `HOST:PORT`, `HOST`
    /// (port 4321), `:PORT`, `[::1]:PORT`, and for the Unix socket (`--socket`)
    /// `unix:PATH` or a path that starts with `/` or `.`.
    package init(parsing text: String) throws(CommandLineError) {
        if text.hasPrefix("unix:") || text.hasPrefix("/") || text.hasPrefix(".") {
            let path = text.hasPrefix("unix:") ? String(text.dropFirst(5)) : text
            guard !path.isEmpty else { throw CommandLineError("the address 'unix:' names no socket file; e.g. unix:/tmp/jobsched.sock") }
            self = .unix(path: path)
            return
        }
        var rest = Substring(text)
        let isTLS = rest.hasPrefix("https://")
        if isTLS { rest = rest.dropFirst(8) }
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        // A path after the authority (a trailing slash, say) is not used.
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Self.invalid(text) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Self.invalid(text) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        var port = 4321
        if let portText {
            guard let number = Int(portText), (1...65_535).contains(number) else { throw Self.invalid(text) }
            port = number
        }
        guard !host.contains(where: { $0 == " " || $0 == "@" || $0 == "[" || $0 == "]" }) else { throw Self.invalid(text) }
        let name = host.isEmpty ? "127.0.0.1" : String(host)
        self = isTLS ? .https(host: name, port: port) : .tcp(host: name, port: port)
    }

    private static func invalid(_ text: String) -> CommandLineError {
        CommandLineError("cannot read the server address \(Excerpt.quoted(text)); e.g. http://127.0.0.1:4321, https://box:4321, :4321 or unix:/tmp/jobsched.sock")
    }
}

extension ServerAddress: CustomStringConvertible {
    package var description: String {
        switch self {
        case let .tcp(host, port): return "http://" + ServerAddress.authority(host, port)
        case let .https(host, port): return "https://" + ServerAddress.authority(host, port)
        case let .unix(path): return "unix:\(path)"
        }
    }
}

extension ServerAddress {
    /// `HOST:PORT` as a URL or a Host header has it: an IPv6 address in brackets.
    package static func authority(_ host: String, _ port: Int) -> String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}
