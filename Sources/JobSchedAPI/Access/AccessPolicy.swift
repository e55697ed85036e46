import JobSchedModel

/// Who may talk to the server: a pure decision on a request's `Authorization`,
/// `Origin`, `Sec-Fetch-Site` and `Host` headers.
///
/// - A request whose `Sec-Fetch-Site` is `cross-site` or `same-site` was made by a
///   page from elsewhere (another port on this host is same-site): 403. Browsers send
///   it on every request, even a GET with no `Origin` (an image, a link).
/// - A request with an `Origin` that is not the server's own (`http://`, or
///   `https://` on a TLS port, + its `Host`) is a cross-site request from a browser page: 403.
/// - Without a token, a `Host` that is not the bound address, `localhost` or a
///   loopback literal is a DNS-rebinding page: 403.
/// - With tokens, a request without `Authorization: Bearer TOKEN` of one of them: 401.
///   The token it carries says who asks, and its role what they may do (`AccessRole`).
package struct AccessPolicy {
    package enum Decision: Equatable {
        /// By the token named (nil: the server has none).
        case allow(NamedToken?)
        case forbidden(String)
        case unauthorized
    }

    /// The tokens a request must carry one of; none: no token is asked.
    package var tokens: [NamedToken]
    /// Host names (lowercase, no port) accepted besides `localhost` and loopback literals:
    /// the address given on the command line and the numeric address bound.
    package var boundHosts: Set<String> = []
    /// The scheme of the server's own pages: `https` when its TCP port speaks TLS.
    package var scheme = "http"

    package init(tokens: [NamedToken], boundHosts: Set<String> = [], scheme: String = "http") {
        self.tokens = tokens
        self.boundHosts = boundHosts
        self.scheme = scheme
    }

    package func decide(authorization: String?, origin: String?, host: String?, fetchSite: String? = nil) -> Decision {
        if let fetchSite, AccessPolicy.isFromAnotherSite(fetchSite) {
            return .forbidden("requests from other sites are refused (Sec-Fetch-Site: \(Excerpt.plain(fetchSite, limit: 80)))")
        }
        if let origin, !isOwnOrigin(origin, host: host) {
            return .forbidden("cross-origin requests are refused (Origin: \(Excerpt.plain(origin, limit: 80)))")
        }
        guard !tokens.isEmpty else {
            if let host, !isAllowedHost(host) { return .forbidden("unknown Host \(Excerpt.quoted(host))") }
            return .allow(nil)
        }
        guard let presented = authorization.flatMap(AccessPolicy.bearerToken(from:)).map({ Array($0.utf8) }) else { return .unauthorized }
        // Compared with every token, whichever matches: the time says nothing of which, or how close.
        var matched: NamedToken?
        for token in tokens where AccessPolicy.constantTimeEqual(presented, Array(token.secret.utf8)) { matched = token }
        return matched.map { .allow($0) } ?? .unauthorized
    }

    /// `cross-site` or `same-site`; `same-origin` and `none` (typed by the user) pass.
    package static func isFromAnotherSite(_ fetchSite: String) -> Bool {
        let value = fetchSite.lowercased()
        return value == "cross-site" || value == "same-site"
    }

    /// An `Origin` equal to the server's scheme + the request's `Host` (a page served by this server).
    package func isOwnOrigin(_ origin: String, host: String?) -> Bool {
        guard let host else { return false }
        return origin.lowercased() == scheme + "://" + host.lowercased()
    }

    package func isAllowedHost(_ hostHeader: String) -> Bool {
        guard let name = AccessPolicy.hostName(of: hostHeader) else { return false }
        if name == "localhost" || AccessPolicy.isLoopbackLiteral(name) || boundHosts.contains(name) { return true }
        // Bound to every address: any address literal (a rebinding page has a DNS name, never a literal).
        let wildcard = boundHosts.contains("0.0.0.0") || boundHosts.contains("::")
        return wildcard && (AccessPolicy.isIPv4Literal(name) || name.contains(":"))
    }

    /// The host part of a `Host` header, lowercase, without the port or IPv6 brackets;
    /// nil when the port is not a number.
    package static func hostName(of hostHeader: String) -> String? {
        let value = hostHeader.lowercased()
        var name = Substring(value)
        var port: Substring?
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            name = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            }
        } else if let colon = value.lastIndex(of: ":") {
            name = value[..<colon]
            port = value[value.index(after: colon)...]
        }
        if let port, port.isEmpty || !port.utf8.allSatisfy(isASCIIDigit) { return nil }
        return name.isEmpty ? nil : String(name)
    }

    /// `127.0.0.0/8`, `::1`, or an IPv4-mapped `::ffff:127.x.y.z`.
    package static func isLoopbackLiteral(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower == "::1" || lower == "0:0:0:0:0:0:0:1" { return true }
        let v4 = lower.hasPrefix("::ffff:") ? String(lower.dropFirst("::ffff:".count)) : lower
        return isIPv4Literal(v4) && v4.hasPrefix("127.")
    }

    /// Four dot-separated numbers of 1 to 3 digits, each at most 255.
    /// Byte by byte: it is on every request's path.
    package static func isIPv4Literal(_ name: String) -> Bool {
        var dots = 0, digits = 0, value = 0
        for byte in name.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                dots += 1
                digits = 0
                value = 0
            } else if isASCIIDigit(byte) {
                digits += 1
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                guard digits <= 3, value <= 255 else { return false }
            } else {
                return false
            }
        }
        return dots == 3 && digits > 0
    }

    /// The token of `Bearer TOKEN` (scheme case-insensitive), or nil.
    package static func bearerToken(from header: String) -> Substring? {
        let parts = header.trimmingSpaces
        guard parts.count > 7, parts.prefix(7).lowercased() == "bearer " else { return nil }
        let token = parts.dropFirst(7).trimmingSpaces
        return token.isEmpty ? nil : token
    }

    /// Compares every byte whatever the first difference, so the time taken
    /// does not tell how much of a guess was right.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= UInt(x ^ y)
        }
        return difference == 0
    }
}
