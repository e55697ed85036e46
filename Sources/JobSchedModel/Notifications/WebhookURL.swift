/// A `notify=` URL: where a job's or a group's end is POSTed. Only what can
/// be sent is taken: http or https, a host, at most 2,048 bytes.
package struct WebhookURL: Equatable, Sendable {
    package enum Scheme: String, Sendable { case http, https }

    /// Why a URL is not taken: a sentence for a 400.
    package struct Refusal: Error, Equatable {
        package let reason: String
    }

    package static let maxLength = 2048

    /// The URL as given (less any `#fragment`, which is never sent).
    package let text: String
    package let scheme: Scheme
    /// A name (lowercased), an IPv4 literal, or an IPv6 literal without its brackets.
    package let host: String
    package let port: Int
    /// The path and query, `/` at least.
    package let target: String

    package init(_ given: String) throws(Refusal) {
        guard given.utf8.count <= WebhookURL.maxLength else {
            throw Refusal(reason: "a notify URL may be at most \(WebhookURL.maxLength) bytes, this one is \(given.utf8.count)")
        }
        // What goes on the request line as it is: printable ASCII only.
        guard !given.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
            throw Refusal(reason: "a notify URL may hold only printable ASCII (percent-encode spaces, control characters and the rest)")
        }
        let withoutFragment = given.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let around = IPAddress.split(String(withoutFragment), at: "://")
        guard around.count >= 2 else {
            throw Refusal(reason: "a notify URL must start with http:// or https://, not \(Excerpt.quoted(given))")
        }
        let schemeText = around[0].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw Refusal(reason: "only http:// and https:// URLs are notified, not '\(Excerpt.plain(schemeText, limit: 20)):'")
        }
        let rest = withoutFragment.dropFirst(around[0].count + 3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else {
            throw Refusal(reason: "a notify URL may not carry a user or password (user@host): put a secret in its path or query")
        }
        let (host, portText) = try WebhookURL.split(authority)
        guard !host.isEmpty else { throw Refusal(reason: "a notify URL needs a host: \(Excerpt.quoted(given))") }
        var port = scheme == .https ? 443 : 80
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number), portText.utf8.allSatisfy(isASCIIDigit) else {
                throw Refusal(reason: "the port of a notify URL must be 1 to 65535, not \(Excerpt.quoted(String(portText)))")
            }
            port = number
        }
        let path = rest[authorityEnd...]
        (self.text, self.scheme, self.host, self.port) = (String(withoutFragment), scheme, host, port)
        target = path.isEmpty ? "/" : path.first == "?" ? "/" + path : String(path)
    }

    /// `host[:port]` or `[v6][:port]`: the host (lowercased) and the port's text, if any.
    private static func split(_ authority: Substring) throws(Refusal) -> (host: String, port: Substring?) {
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw Refusal(reason: "an IPv6 address in a notify URL needs its closing ]") }
            let host = authority[authority.index(after: authority.startIndex)..<close]
            guard IPAddress(literal: String(host))?.isV6 == true else {
                throw Refusal(reason: "\(Excerpt.quoted(String(host))) is not an IPv6 address")
            }
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.first == ":" else { throw Refusal(reason: "a notify URL has text after its ]") }
            return (host.lowercased(), after.isEmpty ? nil : after.dropFirst())
        }
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let host = parts[0].lowercased()
        guard host.utf8.allSatisfy(WebhookURL.isHostByte) else {
            throw Refusal(reason: "\(Excerpt.quoted(host)) is not a host name or address")
        }
        return (host, parts.count == 2 ? parts[1] : nil)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        isASCIIDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }

    /// Where its connections go, as one text (`https://host:443`): deliveries are counted and sent by it.
    package var receiver: String {
        "\(scheme.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The `Host` header's value: the host, and the port when it is not the scheme's own.
    package var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (scheme == .https ? 443 : 80) ? name : "\(name):\(port)"
    }
}
