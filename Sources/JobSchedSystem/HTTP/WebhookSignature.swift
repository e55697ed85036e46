import CSupport

/// `X-Jobsched-Signature: sha256=HEX`: the HMAC-SHA256 of a delivery's body
/// with the server's secret, as GitHub signs its webhooks, so that a receiver
/// can tell the body came from this server, unchanged.
package enum WebhookSignature {
    package static let header = "X-Jobsched-Signature"

    package static func value(secret: [UInt8], body: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        secret.withUnsafeBytes { key in
            body.withUnsafeBytes { data in jobsched_hmac_sha256(key.baseAddress, key.count, data.baseAddress, data.count, &digest) }
        }
        let hex: [Character] = Array("0123456789abcdef")
        return "sha256=" + String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
}
