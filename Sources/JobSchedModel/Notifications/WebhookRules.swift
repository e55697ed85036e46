/// Where deliveries may go. A notify URL is checked when it is given (its
/// host against `--webhook-allow`, an address literal as below), and each
/// address its host resolves to is checked again before a connection is made,
/// so that a name cannot lead where an address may not.
package struct WebhookRules: Sendable {
    /// `--webhook-allow`: the only hosts (lowercased) deliveries may go to; empty: any.
    package var allowedHosts: Set<String> = []
    /// The server's own TCP port, and the addresses it is reached at there:
    /// a delivery to itself would be a request from its own loop.
    package var ownPort: Int?
    package var ownAddresses: Set<IPAddress> = []
    /// It listens on every address (0.0.0.0 or ::): loopback reaches it too.
    package var ownIsWildcard = false

    package init(allowedHosts: Set<String> = [], ownPort: Int? = nil, ownAddresses: Set<IPAddress> = [], ownIsWildcard: Bool = false) {
        (self.allowedHosts, self.ownPort, self.ownAddresses, self.ownIsWildcard) = (allowedHosts, ownPort, ownAddresses, ownIsWildcard)
    }

    /// Why a URL is refused before any lookup, or nil.
    package func refusal(of url: WebhookURL) -> String? {
        if !allowedHosts.isEmpty && !allowedHosts.contains(url.host)
            && !allowedHosts.contains(where: { IPAddress(literal: $0).map { $0 == IPAddress(literal: url.host) } ?? false }) {
            return "\(Excerpt.quoted(url.host)) is not one of the hosts --webhook-allow lets deliveries go to"
        }
        // The one name every system resolves the same way.
        let addresses = url.host == "localhost" ? [IPAddress(literal: "127.0.0.1")!, IPAddress(literal: "::1")!]
                                                : IPAddress(literal: url.host).map { [$0] } ?? []
        return addresses.lazy.compactMap { refusal(of: $0, port: url.port) }.first
    }

    /// Why a connection to this address and port is refused, or nil.
    package func refusal(of address: IPAddress, port: Int) -> String? {
        if address.isLinkLocal {
            return "\(address) is a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services answer: never notified"
        }
        if port == ownPort && (ownAddresses.contains(address.unmapped) || address.isUnspecified
                               || (ownIsWildcard && address.isLoopback)) {
            return "\(address) port \(port) is this server's own address: it does not notify itself"
        }
        return nil
    }
}
