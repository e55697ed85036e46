import Foundation
import Testing
@testable import JobSchedModel

/// notify= URLs, the addresses they may lead to, the retries of a delivery,
/// where it stands, and what it POSTs.
@Suite("Unit: webhooks")
struct WebhookUnitTests {
    /// Why `text` is not taken as a notify URL; nil when it is.
    private static func refusal(_ text: String) -> String? {
        do {
            _ = try WebhookURL(text)
            return nil
        } catch {
            return error.reason
        }
    }

    private static func ip(_ literal: String) -> IPAddress { IPAddress(literal: literal)! }

    private static func url(_ text: String) throws -> WebhookURL { try WebhookURL(text) }

    // MARK: WebhookURL

    @Test func httpAndHttpsURLsAreTakenWithTheirSchemesDefaultPorts() throws {
        let plain = try Self.url("http://hooks.example.com/notify")
        #expect(plain.scheme == .http && plain.host == "hooks.example.com" && plain.port == 80 && plain.target == "/notify")
        #expect(plain.text == "http://hooks.example.com/notify")
        let secure = try Self.url("https://hooks.example.com/a/b")
        #expect(secure.scheme == .https && secure.port == 443 && secure.target == "/a/b")
        let explicit = try Self.url("https://hooks.example.com:8443/x")
        #expect(explicit.port == 8443 && explicit.host == "hooks.example.com")
        #expect(try Self.url("http://x:1/").port == 1)
        #expect(try Self.url("http://x:65535/").port == 65535)
        #expect(try Self.url("http://127.0.0.1:4321/").host == "127.0.0.1")
        #expect(try Self.url("http://under_score-dash.example/").host == "under_score-dash.example")
    }

    @Test func theSchemeAndHostAreLowercasedButThePathIsKept() throws {
        let url = try Self.url("HTTPS://Hooks.EXAMPLE.com/Path?Key=Value")
        #expect(url.scheme == .https && url.host == "hooks.example.com" && url.target == "/Path?Key=Value")
        #expect(url.text == "HTTPS://Hooks.EXAMPLE.com/Path?Key=Value")
    }

    @Test func theTargetIsSlashAtLeastAndKeepsPathAndQuery() throws {
        #expect(try Self.url("http://x").target == "/")
        #expect(try Self.url("http://x:8080").target == "/")
        #expect(try Self.url("http://x/").target == "/")
        #expect(try Self.url("http://x?q=1").target == "/?q=1")
        #expect(try Self.url("http://x:8080?q").target == "/?q")
        #expect(try Self.url("http://x/a/b?c=d&e=f").target == "/a/b?c=d&e=f")
        // A URL in the query is the query's, not a second scheme.
        let nested = try Self.url("https://x/cb?next=http://y/z")
        #expect(nested.host == "x" && nested.target == "/cb?next=http://y/z")
    }

    @Test func theFragmentIsNeverSent() throws {
        let url = try Self.url("http://x/a?b=1#section")
        #expect(url.target == "/a?b=1" && url.text == "http://x/a?b=1")
        #expect(try Self.url("http://x#frag").target == "/")
        // What follows # is not the authority: the host is the one before it.
        let tricky = try Self.url("http://evil.example#@good.example/")
        #expect(tricky.host == "evil.example" && tricky.target == "/")
    }

    @Test func anIPv6LiteralIsInBracketsWithOrWithoutAPort() throws {
        let url = try Self.url("http://[::1]:8080/hook")
        #expect(url.host == "::1" && url.port == 8080 && url.target == "/hook")
        let bare = try Self.url("https://[FE80::1]")
        #expect(bare.host == "fe80::1" && bare.port == 443 && bare.target == "/")
        #expect(try Self.url("http://[::ffff:1.2.3.4]/").host == "::ffff:1.2.3.4")
    }

    @Test func otherSchemesAreRefused() {
        #expect(Self.refusal("file:///etc/passwd") == "only http:// and https:// URLs are notified, not 'file:'")
        #expect(Self.refusal("ftp://x") == "only http:// and https:// URLs are notified, not 'ftp:'")
        #expect(Self.refusal("gopher://x:70/") == "only http:// and https:// URLs are notified, not 'gopher:'")
        #expect(Self.refusal("://x")?.contains("only http:// and https://") == true)
    }

    @Test func aURLWithoutASchemeIsRefused() {
        #expect(Self.refusal("hooks.example.com/x") == "a notify URL must start with http:// or https://, not 'hooks.example.com/x'")
        #expect(Self.refusal("") == "a notify URL must start with http:// or https://, not ''")
        #expect(Self.refusal("http:/x")?.hasPrefix("a notify URL must start with http:// or https://") == true)
    }

    @Test func aURLWithoutAHostIsRefused() {
        #expect(Self.refusal("http://") == "a notify URL needs a host: 'http://'")
        #expect(Self.refusal("http:///path") == "a notify URL needs a host: 'http:///path'")
        #expect(Self.refusal("https://:443/") == "a notify URL needs a host: 'https://:443/'")
        #expect(Self.refusal("http://?q") == "a notify URL needs a host: 'http://?q'")
    }

    @Test func aUserOrPasswordIsRefused() throws {
        let reason = "a notify URL may not carry a user or password (user@host): put a secret in its path or query"
        #expect(Self.refusal("http://user@host/") == reason)
        #expect(Self.refusal("https://user:secret@host:8443/x") == reason)
        #expect(Self.refusal("http://@host/") == reason)
        // An @ in the path is the path's.
        #expect(try Self.url("http://host/a@b?c@d").target == "/a@b?c@d")
    }

    @Test func aPortMustBeANumberFrom1To65535() {
        #expect(Self.refusal("http://x:0/") == "the port of a notify URL must be 1 to 65535, not '0'")
        #expect(Self.refusal("http://x:70000/") == "the port of a notify URL must be 1 to 65535, not '70000'")
        #expect(Self.refusal("http://x:65536") == "the port of a notify URL must be 1 to 65535, not '65536'")
        #expect(Self.refusal("http://x:8o/") == "the port of a notify URL must be 1 to 65535, not '8o'")
        #expect(Self.refusal("http://x:+80/") == "the port of a notify URL must be 1 to 65535, not '+80'")
        #expect(Self.refusal("http://x:-1/") == "the port of a notify URL must be 1 to 65535, not '-1'")
        #expect(Self.refusal("http://x:/") == "the port of a notify URL must be 1 to 65535, not ''")
        #expect(Self.refusal("http://x:80:81/") == "the port of a notify URL must be 1 to 65535, not '80:81'")
        #expect(Self.refusal("http://[::1]:0/") == "the port of a notify URL must be 1 to 65535, not '0'")
        #expect(Self.refusal("http://[::1]:/") == "the port of a notify URL must be 1 to 65535, not ''")
    }

    @Test func spacesControlCharactersAndNonASCIIAreRefused() {
        let reason = "a notify URL may hold only printable ASCII (percent-encode spaces, control characters and the rest)"
        for text in ["http://x/a b", " http://x/", "http://x/\t", "http://x/\n", "http://x/\r\nHost: y", "http://x/\u{7F}",
                     "http://x/\u{0}", "http://x\u{1b}/", "http://x/caf\u{e9}", "http://x/\u{85}", "http://b\u{fc}cher.example/"] {
            #expect(Self.refusal(text) == reason, "\(text.debugDescription)")
        }
        #expect(Self.refusal("http://x/a%20b") == nil)
    }

    @Test func aURLMayBeAtMost2048Bytes() throws {
        let prefix = "http://x/"
        let longest = prefix + String(repeating: "a", count: WebhookURL.maxLength - prefix.utf8.count)
        #expect(longest.utf8.count == 2048)
        #expect(try Self.url(longest).target.utf8.count == 2048 - "http://x".utf8.count)
        #expect(Self.refusal(longest + "a") == "a notify URL may be at most 2048 bytes, this one is 2049")
        // Bytes, not characters.
        let wide = prefix + String(repeating: "é", count: 1020)
        #expect(wide.utf8.count == 2049 && wide.count < 2048)
        #expect(Self.refusal(wide) == "a notify URL may be at most 2048 bytes, this one is 2049")
    }

    @Test func aBadIPv6LiteralIsRefused() {
        #expect(Self.refusal("http://[::g]/") == "'::g' is not an IPv6 address")
        #expect(Self.refusal("http://[1.2.3.4]/") == "'1.2.3.4' is not an IPv6 address")
        #expect(Self.refusal("http://[]/") == "'' is not an IPv6 address")
        #expect(Self.refusal("http://[fe80::1%25eth0]/") == "'fe80::1%25eth0' is not an IPv6 address")
        #expect(Self.refusal("http://[:::]/") == "':::' is not an IPv6 address")
        #expect(Self.refusal("http://[::1/") == "an IPv6 address in a notify URL needs its closing ]")
        #expect(Self.refusal("http://[::1]x/") == "a notify URL has text after its ]")
        // Unbracketed, its first colon ends an empty host.
        #expect(Self.refusal("http://::1/") == "a notify URL needs a host: 'http://::1/'")
    }

    @Test func aHostWithOtherCharactersIsRefused() {
        #expect(Self.refusal("http://exa$mple.com/") == "'exa$mple.com' is not a host name or address")
        #expect(Self.refusal("http://ex%41mple.com/") == "'ex%41mple.com' is not a host name or address")
        #expect(Self.refusal("http://a\\b/") == "'a\\\\b' is not a host name or address")
        #expect(Self.refusal("http://Evil!.example/") == "'evil!.example' is not a host name or address")
    }

    @Test func theHostHeaderOmitsTheDefaultPortAndBracketsIPv6() throws {
        #expect(try Self.url("http://x.example/").hostHeader == "x.example")
        #expect(try Self.url("http://x.example:80/").hostHeader == "x.example")
        #expect(try Self.url("https://x.example:443/").hostHeader == "x.example")
        #expect(try Self.url("http://x.example:443/").hostHeader == "x.example:443")
        #expect(try Self.url("https://x.example:80/").hostHeader == "x.example:80")
        #expect(try Self.url("http://X.Example:8080/").hostHeader == "x.example:8080")
        #expect(try Self.url("http://[::1]/").hostHeader == "[::1]")
        #expect(try Self.url("http://[::1]:8080/").hostHeader == "[::1]:8080")
        #expect(try Self.url("https://[2001:DB8::1]:443/").hostHeader == "[2001:db8::1]")
        #expect(try Self.url("http://10.0.0.1:81/").hostHeader == "10.0.0.1:81")
    }

    // MARK: IPAddress

    @Test func addressLiteralsAreParsedToTheirBytes() {
        #expect(IPAddress(literal: "1.2.3.4")?.bytes == [1, 2, 3, 4])
        #expect(IPAddress(literal: "255.255.255.255")?.bytes == [255, 255, 255, 255])
        #expect(IPAddress(literal: "::1")?.bytes == Array(repeating: 0, count: 15) + [1])
        #expect(IPAddress(literal: "::")?.bytes == Array(repeating: 0, count: 16))
        #expect(IPAddress(literal: "fe80::1")?.bytes == [0xFE, 0x80] + Array(repeating: 0, count: 13) + [1])
        #expect(IPAddress(literal: "::ffff:169.254.169.254")?.bytes
                == Array(repeating: 0, count: 10) + [0xFF, 0xFF, 169, 254, 169, 254])
        #expect(IPAddress(literal: "2001:db8::1")?.bytes == [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1])
        #expect(IPAddress(literal: "2001:0db8:0000:0000:0000:0000:0000:0001") == IPAddress(literal: "2001:db8::1"))
        #expect(IPAddress(literal: "1:2:3:4:5:6:7:8")?.bytes == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8])
        #expect(IPAddress(literal: "1:2:3:4:5:6:7::")?.bytes == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0])
        #expect(IPAddress(literal: "::2:3:4:5:6:7:8")?.bytes == [0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8])
        #expect(IPAddress(literal: "0:0:0:0:0:ffff:1.2.3.4") == IPAddress(literal: "::ffff:1.2.3.4"))
        #expect(IPAddress(literal: "FE80::ABCD") == IPAddress(literal: "fe80::abcd"))
        #expect(IPAddress(literal: "1.2.3.4")?.isV6 == false && IPAddress(literal: "::1.2.3.4")?.isV6 == true)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil && IPAddress(bytes: [1, 2, 3, 4, 5]) == nil)
        #expect(IPAddress(bytes: [10, 0, 0, 1]) == IPAddress(literal: "10.0.0.1"))
    }

    @Test func anythingElseIsNotAnAddress() {
        for text in ["256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", "1.2.3.1000", " 1.2.3.4", "1.2.3.4 ", "-1.2.3.4",
                     "01234::", ":::", "::::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8",
                     "12345::", "g::1", "::1%eth0", "1.2.3.4::", ":1::", "1:", ":1", "::ffff:1.2.3.256", "::ffff:1.2.3",
                     "[::1]", "", "localhost", "example.com", "１.2.3.4"] {
            #expect(IPAddress(literal: text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func linkLocalIs169254Over16AndFe80Over10EvenMapped() {
        for link in ["169.254.0.0", "169.254.169.254", "169.254.255.255", "fe80::1", "fe80::abcd:1", "febf::1",
                     "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:169.254.169.254"] {
            #expect(Self.ip(link).isLinkLocal, "\(link)")
        }
        for other in ["169.253.255.255", "169.255.0.1", "168.254.1.1", "10.0.0.1", "127.0.0.1", "fec0::1", "fe7f::1",
                      "fe00::1", "ff02::1", "::1", "2001:db8::1", "::ffff:10.0.0.1"] {
            #expect(!Self.ip(other).isLinkLocal, "\(other)")
        }
    }

    @Test func loopbackIs127Over8AndV6OneEvenMapped() {
        for loop in ["127.0.0.1", "127.255.255.254", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"] {
            #expect(Self.ip(loop).isLoopback, "\(loop)")
        }
        for other in ["128.0.0.1", "126.255.255.255", "0.0.0.0", "::", "::2", "1::1", "::ffff:10.0.0.1", "fe80::1"] {
            #expect(!Self.ip(other).isLoopback, "\(other)")
        }
    }

    @Test func unspecifiedIsAllZeros() {
        for zero in ["0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::ffff:0.0.0.0"] {
            #expect(Self.ip(zero).isUnspecified, "\(zero)")
        }
        for other in ["0.0.0.1", "::1", "1::", "127.0.0.1"] {
            #expect(!Self.ip(other).isUnspecified, "\(other)")
        }
    }

    @Test func aMappedAddressUnmapsToItsIPv4() {
        #expect(Self.ip("::ffff:1.2.3.4").unmapped == Self.ip("1.2.3.4"))
        #expect(Self.ip("::ffff:0102:0304").unmapped == Self.ip("1.2.3.4"))
        #expect(Self.ip("::1").unmapped == Self.ip("::1"))
        #expect(Self.ip("::1.2.3.4").unmapped == Self.ip("::1.2.3.4"))
        #expect(Self.ip("1.2.3.4").unmapped == Self.ip("1.2.3.4"))
    }

    @Test func theDescriptionIsTheShortestForm() {
        for text in ["1.2.3.4", "0.0.0.0", "255.255.255.255", "::1", "::", "fe80::1", "2001:db8::1", "1::", "1:2:3:4:5:6:7:8",
                     "2001:db8:0:1::1", "1::2:0:0:3:4", "1:0:2:3:4:5:6:7", "0:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:0",
                     "2001:db8::ab:0:0:1"] {
            #expect(Self.ip(text).description == text)
        }
        #expect(Self.ip("2001:0DB8:0000:0000:0000:0000:0000:0001").description == "2001:db8::1")
        #expect(Self.ip("1:0:0:2:0:0:0:3").description == "1:0:0:2::3")
        #expect(Self.ip("0:0:0:0:0:0:0:1").description == "::1")
        // Whatever form it is written in, it reads back as the same address.
        for text in ["::ffff:169.254.169.254", "::1.2.3.4", "febf::1", "1:0:0:0:0:0:0:0", "0:0:1::"] {
            let address = Self.ip(text)
            #expect(IPAddress(literal: address.description) == address, "\(text) -> \(address)")
        }
    }

    // MARK: WebhookRules

    @Test func aLinkLocalLiteralIsRefusedWhateverTheAllowList() throws {
        let rules = WebhookRules()
        #expect(try rules.refusal(of: Self.url("http://169.254.169.254/latest/meta-data/"))
                == "169.254.169.254 is a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services answer: never notified")
        #expect(try rules.refusal(of: Self.url("http://[fe80::1]:8080/"))?.hasPrefix("fe80::1 is a link-local address") == true)
        #expect(try rules.refusal(of: Self.url("http://[::ffff:169.254.169.254]/"))?.contains("link-local") == true)
        #expect(try rules.refusal(of: Self.url("http://hooks.example.com/")) == nil)
        #expect(try rules.refusal(of: Self.url("http://10.0.0.1/")) == nil)
        #expect(try rules.refusal(of: Self.url("http://127.0.0.1:9000/")) == nil)
        let allowed = WebhookRules(allowedHosts: ["169.254.169.254"])
        #expect(try allowed.refusal(of: Self.url("http://169.254.169.254/"))?.contains("link-local") == true)
    }

    @Test func theServersOwnAddressAndPortAreRefused() throws {
        let rules = WebhookRules(ownPort: 4321, ownAddresses: [Self.ip("127.0.0.1")])
        #expect(try rules.refusal(of: Self.url("http://127.0.0.1:4321/submit"))
                == "127.0.0.1 port 4321 is this server's own address: it does not notify itself")
        #expect(try rules.refusal(of: Self.url("http://[::ffff:127.0.0.1]:4321/"))?.contains("own address") == true)
        // 0.0.0.0 and :: connect to this host.
        #expect(try rules.refusal(of: Self.url("http://0.0.0.0:4321/"))?.contains("own address") == true)
        #expect(try rules.refusal(of: Self.url("http://[::]:4321/"))?.contains("own address") == true)
        // The same address at another port is another server.
        #expect(try rules.refusal(of: Self.url("http://127.0.0.1:4322/")) == nil)
        #expect(try rules.refusal(of: Self.url("http://127.0.0.1/")) == nil)
        // Bound to 127.0.0.1 alone: other loopback addresses do not reach it.
        #expect(try rules.refusal(of: Self.url("http://127.0.0.2:4321/")) == nil)
        #expect(try rules.refusal(of: Self.url("http://[::1]:4321/")) == nil)
        // Without a TCP port, nothing is its own.
        #expect(try WebhookRules(ownAddresses: [Self.ip("127.0.0.1")]).refusal(of: Self.url("http://127.0.0.1:4321/")) == nil)
    }

    @Test func listeningOnEveryAddressRefusesLoopbackAtTheOwnPortOnly() throws {
        let rules = WebhookRules(ownPort: 4321, ownAddresses: [Self.ip("192.0.2.5"), Self.ip("2001:db8::5")], ownIsWildcard: true)
        for text in ["http://127.0.0.1:4321/", "http://127.9.9.9:4321/", "http://[::1]:4321/", "http://[::ffff:127.0.0.1]:4321/",
                     "http://192.0.2.5:4321/", "http://[2001:db8::5]:4321/", "http://0.0.0.0:4321/", "http://localhost:4321/"] {
            #expect(try rules.refusal(of: Self.url(text))?.contains("this server's own address") == true, "\(text)")
        }
        for text in ["http://127.0.0.1:8080/", "http://[::1]/", "http://192.0.2.5:80/", "http://192.0.2.6:4321/",
                     "http://localhost:4322/", "https://hooks.example.com:4321/"] {
            #expect(try rules.refusal(of: Self.url(text)) == nil, "\(text)")
        }
    }

    @Test func localhostAtTheOwnPortIsRefused() throws {
        let wildcard = WebhookRules(ownPort: 4321, ownAddresses: [Self.ip("127.0.0.1")], ownIsWildcard: true)
        let explicit = WebhookRules(ownPort: 4321, ownAddresses: [Self.ip("127.0.0.1")])
        let v6 = WebhookRules(ownPort: 4321, ownAddresses: [Self.ip("::1")])
        for rules in [wildcard, explicit, v6] {
            #expect(try rules.refusal(of: Self.url("http://localhost:4321/x"))?.contains("own address") == true)
            #expect(try rules.refusal(of: Self.url("http://LOCALHOST:4321/x"))?.contains("own address") == true)
            #expect(try rules.refusal(of: Self.url("http://localhost:4322/x")) == nil)
            #expect(try rules.refusal(of: Self.url("http://localhost/x")) == nil)
        }
        #expect(try explicit.refusal(of: Self.url("http://localhost:4321/"))
                == "127.0.0.1 port 4321 is this server's own address: it does not notify itself")
        #expect(try v6.refusal(of: Self.url("http://localhost:4321/"))
                == "::1 port 4321 is this server's own address: it does not notify itself")
    }

    @Test func theAllowListLetsOnlyItsHostsThrough() throws {
        let rules = WebhookRules(allowedHosts: ["hooks.example.com", "10.0.0.7", "::1"])
        #expect(try rules.refusal(of: Self.url("https://hooks.example.com/x")) == nil)
        #expect(try rules.refusal(of: Self.url("https://HOOKS.Example.COM:8443/x")) == nil)
        #expect(try rules.refusal(of: Self.url("http://10.0.0.7:8080/")) == nil)
        #expect(try rules.refusal(of: Self.url("https://evil.example.com/"))
                == "'evil.example.com' is not one of the hosts --webhook-allow lets deliveries go to")
        #expect(try rules.refusal(of: Self.url("https://sub.hooks.example.com/"))?.contains("--webhook-allow") == true)
        #expect(try rules.refusal(of: Self.url("https://example.com/"))?.contains("--webhook-allow") == true)
        #expect(try rules.refusal(of: Self.url("http://10.0.0.8/"))?.contains("--webhook-allow") == true)
        // An IPv6 entry matches the same address however the URL writes it.
        #expect(try rules.refusal(of: Self.url("http://[::1]:9000/")) == nil)
        #expect(try rules.refusal(of: Self.url("http://[0:0:0:0:0:0:0:1]:9000/")) == nil)
        #expect(try rules.refusal(of: Self.url("http://[::2]/"))?.contains("--webhook-allow") == true)
        let v6 = WebhookRules(allowedHosts: ["2001:db8::1"])
        #expect(try v6.refusal(of: Self.url("https://[2001:DB8:0::1]/")) == nil)
        #expect(try v6.refusal(of: Self.url("https://[2001:db8::2]/"))?.contains("--webhook-allow") == true)
        // An allowed host is still refused at the server's own port.
        let own = WebhookRules(allowedHosts: ["localhost"], ownPort: 4321, ownAddresses: [Self.ip("127.0.0.1")])
        #expect(try own.refusal(of: Self.url("http://localhost:4321/"))?.contains("own address") == true)
        #expect(try own.refusal(of: Self.url("http://localhost:9000/")) == nil)
    }

    @Test func resolvedAddressesAreCheckedToo() {
        let rules = WebhookRules(ownPort: 4321, ownAddresses: [Self.ip("127.0.0.1")])
        #expect(rules.refusal(of: Self.ip("169.254.169.254"), port: 80)
                == "169.254.169.254 is a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services answer: never notified")
        #expect(rules.refusal(of: Self.ip("fe80::1"), port: 443)?.contains("link-local") == true)
        #expect(rules.refusal(of: Self.ip("::ffff:169.254.1.1"), port: 80)?.contains("link-local") == true)
        #expect(rules.refusal(of: Self.ip("127.0.0.1"), port: 4321)
                == "127.0.0.1 port 4321 is this server's own address: it does not notify itself")
        #expect(rules.refusal(of: Self.ip("::ffff:127.0.0.1"), port: 4321)?.contains("own address") == true)
        #expect(rules.refusal(of: Self.ip("0.0.0.0"), port: 4321)?.contains("own address") == true)
        #expect(rules.refusal(of: Self.ip("127.0.0.1"), port: 4322) == nil)
        #expect(rules.refusal(of: Self.ip("93.184.216.34"), port: 443) == nil)
        #expect(rules.refusal(of: Self.ip("2001:db8::1"), port: 4321) == nil)
        let wildcard = WebhookRules(ownPort: 4321, ownAddresses: [Self.ip("192.0.2.5")], ownIsWildcard: true)
        #expect(wildcard.refusal(of: Self.ip("127.0.0.53"), port: 4321)?.contains("own address") == true)
        #expect(wildcard.refusal(of: Self.ip("::1"), port: 4321)?.contains("own address") == true)
        #expect(wildcard.refusal(of: Self.ip("192.0.2.5"), port: 4321)?.contains("own address") == true)
        #expect(wildcard.refusal(of: Self.ip("::ffff:192.0.2.5"), port: 4321)?.contains("own address") == true)
        #expect(wildcard.refusal(of: Self.ip("127.0.0.53"), port: 53) == nil)
    }

    // MARK: DeliveryPolicy

    @Test func theBackoffDoublesFromOneSecondUpToTenMinutes() {
        #expect((1...13).map { DeliveryPolicy.backoff(afterAttempts: $0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600, 600])
        #expect(DeliveryPolicy.backoff(afterAttempts: 0) == 1)
        #expect(DeliveryPolicy.backoff(afterAttempts: 100) == 600)
        #expect(DeliveryPolicy.backoff(afterAttempts: Int.max) == 600)
    }

    @Test func aSuccessIsDelivered() {
        let policy = DeliveryPolicy(retryFor: 3600)
        for code in [200, 201, 202, 204, 299] {
            #expect(policy.decide(.status(code), attempts: 1, created: 1000, now: 1001) == .delivered, "\(code)")
        }
        // Even the last moment it may be tried.
        #expect(policy.decide(.status(200), attempts: 30, created: 1000, now: 1000 + 7200) == .delivered)
    }

    @Test func serverErrorsTimeoutsAndThrottlingAreRetriedAfterTheBackoff() {
        let policy = DeliveryPolicy(retryFor: 3600)
        #expect(policy.decide(.status(500), attempts: 1, created: 1000, now: 1010) == .retry(at: 1011, error: "HTTP 500"))
        #expect(policy.decide(.status(503), attempts: 3, created: 1000, now: 1010) == .retry(at: 1014, error: "HTTP 503"))
        #expect(policy.decide(.status(408), attempts: 2, created: 1000, now: 1010) == .retry(at: 1012, error: "HTTP 408"))
        #expect(policy.decide(.status(429), attempts: 11, created: 1000, now: 1010) == .retry(at: 1610, error: "HTTP 429"))
        #expect(policy.decide(.status(599), attempts: 1, created: 1000, now: 1010) == .retry(at: 1011, error: "HTTP 599"))
        #expect(policy.decide(.error("connection refused", retryable: true), attempts: 2, created: 1000, now: 1010)
                == .retry(at: 1012, error: "connection refused"))
    }

    @Test func otherAnswersFailAtOnce() {
        let policy = DeliveryPolicy(retryFor: 3600)
        for code in [400, 401, 403, 404, 410, 100, 199, 600] {
            #expect(policy.decide(.status(code), attempts: 1, created: 1000, now: 1001) == .failed("HTTP \(code), not retried"))
        }
        for code in [301, 302, 307, 308, 300, 399] {
            #expect(policy.decide(.status(code), attempts: 1, created: 1000, now: 1001)
                    == .failed("HTTP \(code) (a redirect: not followed), not retried"))
        }
        #expect(policy.decide(.error("169.254.169.254 is a link-local address", retryable: false), attempts: 1, created: 1000, now: 1001)
                == .failed("169.254.169.254 is a link-local address"))
    }

    @Test func aRetryPastRetryForGivesUp() {
        let policy = DeliveryPolicy(retryFor: 60)
        // The 4th attempt's retry would be at 1052 + 8 = 1060: still within the minute.
        #expect(policy.decide(.status(503), attempts: 4, created: 1000, now: 1052) == .retry(at: 1060, error: "HTTP 503"))
        #expect(policy.decide(.status(503), attempts: 4, created: 1000, now: 1052.5)
                == .failed("HTTP 503; gave up after 4 attempts in 53 s (--webhook-retry-for)"))
        #expect(policy.decide(.status(503), attempts: 5, created: 1000, now: 1050)
                == .failed("HTTP 503; gave up after 5 attempts in 50 s (--webhook-retry-for)"))
        #expect(policy.decide(.error("timed out", retryable: true), attempts: 7, created: 1000, now: 1059.6)
                == .failed("timed out; gave up after 7 attempts in 60 s (--webhook-retry-for)"))
        // No retrying at all.
        guard case .failed(let once) = DeliveryPolicy(retryFor: 0).decide(.status(500), attempts: 1, created: 1000, now: 1000) else {
            Issue.record("retried with --webhook-retry-for 0")
            return
        }
        #expect(once.hasPrefix("HTTP 500; gave up after 1 attempt") && once.hasSuffix(" in 0 s (--webhook-retry-for)"))
        // What is not retried says so, not that it gave up.
        #expect(policy.decide(.status(404), attempts: 9, created: 1000, now: 5000) == .failed("HTTP 404, not retried"))
    }

    // MARK: DeliveryState

    @Test func theStateReadsAsTextForPeople() {
        #expect(DeliveryState(status: .pending).text == "pending")
        #expect(DeliveryState(status: .pending, attempts: 1, lastError: "HTTP 503").text == "pending (1 attempt: HTTP 503)")
        #expect(DeliveryState(status: .pending, attempts: 2, lastError: "timed out").text == "pending (2 attempts: timed out)")
        #expect(DeliveryState(status: .failed, attempts: 3, lastError: "HTTP 404, not retried").text
                == "failed (3 attempts: HTTP 404, not retried)")
        #expect(DeliveryState(status: .failed, attempts: 2).text == "failed (2 attempts)")
        #expect(DeliveryState(status: .delivered).text == "delivered")
        #expect(DeliveryState(status: .delivered, attempts: 4, lastError: "HTTP 500").text == "delivered")
    }

    @Test func theStateAsJSONHasNoAttemptsOnceDelivered() {
        #expect(DeliveryState(status: .delivered).json.serialized() == #"{"status": "delivered", "attempts": null, "error": null}"#)
        #expect(DeliveryState(status: .delivered, attempts: 2).json.serialized()
                == #"{"status": "delivered", "attempts": null, "error": null}"#)
        #expect(DeliveryState(status: .pending).json.serialized() == #"{"status": "pending", "attempts": 0, "error": null}"#)
        #expect(DeliveryState(status: .failed, attempts: 3, lastError: "HTTP 404, not retried").json.serialized()
                == #"{"status": "failed", "attempts": 3, "error": "HTTP 404, not retried"}"#)
    }

    // MARK: WebhookPayload

    private static func parse(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    private static func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }

    @Test func aJobPayloadIsTheJobAsJobinfoShowsIt() throws {
        var job = Job(id: 7, name: "build \"all\"", group: "ci", command: "make -j2", status: .success, returncode: 0,
                      sync: false, submitted: 1_800_000_000, started: 1_800_000_010, finished: 1_800_000_070.5)
        job.notify = "https://hooks.example.com/done?k=1"
        job.delivery = DeliveryState(status: .pending, attempts: 2, lastError: "HTTP 503")
        let bytes = WebhookPayload.job(job)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"event": "job", "job": {"jobid": 7, "#))
        #expect(!text.contains("notify_status"))
        let object = try Self.parse(bytes)
        #expect(Set(object.keys) == ["event", "job"])
        #expect(object["event"] as? String == "job")
        let fields = try #require(object["job"] as? [String: Any])
        #expect(Self.int(fields["jobid"]) == 7)
        #expect(fields["name"] as? String == "build \"all\"")
        #expect(fields["group"] as? String == "ci")
        #expect(fields["command"] as? String == "make -j2")
        #expect(fields["status"] as? String == "success")
        #expect(Self.int(fields["returncode"]) == 0)
        #expect(fields["notify"] as? String == "https://hooks.example.com/done?k=1")
        #expect((fields["runtime"] as? NSNumber)?.doubleValue == 60.5)
        #expect(fields["notify_status"] == nil && fields["environment"] == nil)
        #expect(Set(fields.keys) == Set(JobField.everyListedField.map(\.rawValue)).subtracting(["notify_status"]))
    }

    @Test func aGroupPayloadCountsItsFinishedJobs() throws {
        let bytes = WebhookPayload.group("nightly", finished: [.zero: 5, .nonzero: 2, .killed: 1])
        #expect(String(decoding: bytes, as: UTF8.self) == #"""
            {"event": "group", "group": {"name": "nightly", "finished": {"zero": 5, "nonzero": 2, "killed": 1, "failed": 0}, "statuses": {"success": 7, "killed": 1, "failed": 0}, "done": 8}}
            """#)
        let object = try Self.parse(bytes)
        #expect(object["event"] as? String == "group")
        let group = try #require(object["group"] as? [String: Any])
        #expect(group["name"] as? String == "nightly")
        let finished = try #require(group["finished"] as? [String: Any])
        #expect(Self.int(finished["zero"]) == 5 && Self.int(finished["nonzero"]) == 2)
        #expect(Self.int(finished["killed"]) == 1 && Self.int(finished["failed"]) == 0)
        #expect(Self.int(group["done"]) == 8)

        let counts: [JobOutcome: Int] = [.zero: 1, .nonzero: 2, .killed: 3, .failed: 4]
        let all = try #require(Self.parse(WebhookPayload.group("g \"x\"", finished: counts))["group"] as? [String: Any])
        #expect(all["name"] as? String == "g \"x\"")
        #expect(Self.int(all["done"]) == 10)
        let statuses = try #require(all["statuses"] as? [String: Any])
        #expect(Self.int(statuses["success"]) == 3 && Self.int(statuses["failed"]) == 4 && Self.int(statuses["killed"]) == 3)
        let none = try #require(Self.parse(WebhookPayload.group("empty", finished: [:]))["group"] as? [String: Any])
        #expect(Self.int(none["done"]) == 0)
        let zeros = try #require(none["finished"] as? [String: Any])
        #expect(Set(zeros.keys) == ["zero", "nonzero", "killed", "failed"] && zeros.values.allSatisfy { Self.int($0) == 0 })
    }
}
