/// A certificate's SHA-256 fingerprint as people see and type it, and the
/// names a self-signed certificate is made for.
package enum TLSFingerprint {
    /// `ab12…` as `AB:12:…`, the form `openssl x509 -noout -fingerprint -sha256` prints.
    package static func display(_ hex: String) -> String {
        var pairs: [String] = []
        var rest = Substring(hex.uppercased())
        while !rest.isEmpty {
            pairs.append(String(rest.prefix(2)))
            rest = rest.dropFirst(2)
        }
        return pairs.joined(separator: ":")
    }

    /// What a user gives to pin (`--fingerprint`): 64 hex digits, with or
    /// without colons, in any case; as 64 lowercase digits, or nil.
    package static func normalized(_ text: String) -> String? {
        let digits = text.filter { $0 != ":" }.lowercased()
        guard digits.count == 64, digits.allSatisfy({ $0.isHexDigit }) else { return nil }
        return digits
    }

    /// The subjectAltName of a certificate for `names`: each address as
    /// `IP:` and each host name as `DNS:`, once, the wildcard addresses left out.
    package static func subjectAltNames(_ names: [String]) -> String {
        var seen = Set<String>()
        var entries: [String] = []
        for name in names where !name.isEmpty && name != "0.0.0.0" && name != "::" && seen.insert(name.lowercased()).inserted {
            entries.append((isAddress(name) ? "IP:" : "DNS:") + name)
        }
        return entries.joined(separator: ",")
    }

    /// Whether `name` is an IPv4 or IPv6 address rather than a host name.
    package static func isAddress(_ name: String) -> Bool {
        if name.contains(":") { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { $0.count <= 3 && $0.utf8.allSatisfy(isASCIIDigit) && Int($0).map { $0 <= 255 } == true }
    }
}
