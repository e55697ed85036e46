import CSupport
import Glibc
import JobSchedModel

/// The TCP port's TLS: the server's certificate chain and key, loaded and
/// checked once at start (TLS 1.2 and 1.3, ALPN http/1.1). Each connection
/// gets a bufferevent that does the handshake (`acceptingBufferEvent`).
package final class TLSServerContext {
    fileprivate let raw: OpaquePointer
    /// The certificate's SHA-256 fingerprint, `AB:CD:…` as `openssl x509 -fingerprint -sha256` shows it.
    package let fingerprint: String

    /// Loads `certificate` (PEM, a chain) and `key`; a file that cannot be
    /// read, or a key that is not the certificate's, is one line naming it.
    package init(certificate: String, key: String) throws(ServerError) {
        var error = [CChar](repeating: 0, count: 1024)
        guard let raw = jobsched_tls_server_context(certificate, key, &error, error.count) else {
            throw ServerError(text(ofCString: error))
        }
        self.raw = raw
        do {
            fingerprint = try TLSServerContext.fingerprint(ofCertificate: certificate)
        } catch {
            jobsched_tls_context_free(raw)
            throw error
        }
    }

    deinit { jobsched_tls_context_free(raw) }

    /// A new connection's bufferevent, which accepts the client's handshake.
    func acceptingBufferEvent(base: OpaquePointer) -> OpaquePointer? {
        jobsched_tls_accepting_bufferevent(base, raw)
    }

    /// Whether a connection's handshake has finished.
    static func handshakeDone(_ bufferEvent: OpaquePointer) -> Bool {
        jobsched_tls_handshake_done(bufferEvent) != 0
    }

    /// The SHA-256 fingerprint of the first certificate in a PEM file, in `AB:CD:…` form.
    package static func fingerprint(ofCertificate path: String) throws(ServerError) -> String {
        var hex = [CChar](repeating: 0, count: 65)
        var error = [CChar](repeating: 0, count: 1024)
        guard jobsched_tls_certificate_fingerprint(path, &hex, &error, error.count) == 0 else { throw ServerError(text(ofCString: error)) }
        return TLSFingerprint.display(text(ofCString: hex))
    }

    /// `--tls-self-signed`: the certificate and key in `directory` (made mode
    /// 0700), made on the first start (P-256, valid for ten years, for
    /// `names`: addresses and host names) and reused on every later one.
    /// Their paths, and whether they were made now.
    package static func selfSigned(in directory: String, names: [String]) throws(ServerError) -> (certificate: String, key: String, made: Bool) {
        let certificate = directory + "/cert.pem", key = directory + "/key.pem"
        if access(certificate, R_OK) == 0 && access(key, R_OK) == 0 { return (certificate, key, false) }
        try makeDirectory(directory, label: "TLS folder")
        chmod(directory, 0o700)
        var error = [CChar](repeating: 0, count: 1024)
        let altNames = TLSFingerprint.subjectAltNames(names)
        guard jobsched_tls_make_self_signed(certificate, key, names.first { !$0.contains(":") && !$0.contains(".") } ?? "localhost",
                                            altNames, 3650, &error, error.count) == 0 else {
            throw ServerError(text(ofCString: error))
        }
        return (certificate, key, true)
    }

    /// This machine's host name, for a self-signed certificate's names.
    package static var hostName: String? {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return nil }
        let host = text(ofCString: name)
        return host.isEmpty ? nil : host
    }
}
