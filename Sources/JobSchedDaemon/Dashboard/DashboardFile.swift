/// The dashboard's files, embedded in the binary (Package.swift `embedInCode`),
/// so the page works with nothing installed and nothing fetched from elsewhere.
package enum DashboardFile {
    case page, script, styles

    /// `/` and `/ui` are the page; its script and styles sit under `/ui/`.
    package init?(path: String) {
        switch path {
        case "/", "/ui", "/ui/": self = .page
        case "/ui/app.js": self = .script
        case "/ui/app.css": self = .styles
        default: return nil
        }
    }

    package var contentType: String {
        switch self {
        case .page: return "text/html; charset=utf-8"
        case .script: return "text/javascript; charset=utf-8"
        case .styles: return "text/css; charset=utf-8"
        }
    }

    package var bytes: [UInt8] {
        switch self {
        case .page: return PackageResources.index_html
        case .script: return PackageResources.app_js
        case .styles: return PackageResources.app_css
        }
    }

    /// Only this server's own script, styles and API: no inline code, no
    /// outside resource, no framing, no form posted anywhere.
    package static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; "
        + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
