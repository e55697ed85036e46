/// An `application/x-www-form-urlencoded` body, as `curl --data-urlencode`
/// builds one: what the client sends to each endpoint.
package struct FormBody: Equatable, Sendable {
    package private(set) var text = ""

    package init() {}

    /// Adds `name=value`; a nil value adds nothing, so optional flags pass straight through.
    package mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        if !text.isEmpty { text += "&" }
        text += Self.escape(name) + "=" + Self.escape(value)
    }

    /// Every byte but the unreserved ones (RFC 3986) as `%XX`.
    package static func escape(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
