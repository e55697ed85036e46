@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem
import Testing

@Suite("Unit: access policy")
struct AccessPolicyUnitTests {
    let open = AccessPolicy(tokens: [], boundHosts: ["127.0.0.1"])
    static let secret = NamedToken.admin("s3cret")
    let locked = AccessPolicy(tokens: [secret], boundHosts: ["127.0.0.1"])

    @Test func curlWithoutOriginIsAllowed() {
        #expect(open.decide(authorization: nil, origin: nil, host: "127.0.0.1:4321") == .allow(nil))
        #expect(open.decide(authorization: nil, origin: nil, host: nil) == .allow(nil))
    }

    @Test func foreignOriginIsForbiddenEvenWithTheToken() {
        for origin in ["http://evil.example", "null", "https://127.0.0.1:4321", "http://127.0.0.1:9"] {
            #expect(open.decide(authorization: nil, origin: origin, host: "127.0.0.1:4321") != .allow(nil), "\(origin)")
            #expect(locked.decide(authorization: "Bearer s3cret", origin: origin, host: "127.0.0.1:4321") != .allow(Self.secret))
        }
        #expect(open.decide(authorization: nil, origin: "http://127.0.0.1:4321", host: "127.0.0.1:4321") == .allow(nil))
        #expect(open.decide(authorization: nil, origin: "http://LOCALHOST:4321", host: "localhost:4321") == .allow(nil))
        #expect(open.decide(authorization: nil, origin: "http://127.0.0.1:4321", host: nil) != .allow(nil))
    }

    @Test func requestsFromOtherSitesAreForbiddenEvenWithTheToken() {
        for site in ["cross-site", "same-site", "CROSS-SITE"] {
            #expect(open.decide(authorization: nil, origin: nil, host: "127.0.0.1:4321", fetchSite: site) != .allow(nil))
            #expect(locked.decide(authorization: "Bearer s3cret", origin: nil, host: "127.0.0.1:4321", fetchSite: site) != .allow(Self.secret))
        }
        for site in ["same-origin", "none"] {
            #expect(open.decide(authorization: nil, origin: nil, host: "127.0.0.1:4321", fetchSite: site) == .allow(nil))
        }
    }

    @Test func hostMustBeLoopbackLocalhostOrBoundWithoutToken() {
        for host in ["127.0.0.1", "127.0.0.1:4321", "localhost", "LocalHost:80", "[::1]:4321", "[::1]", "127.8.9.10:1"] {
            #expect(open.isAllowedHost(host), "\(host)")
        }
        for host in ["evil.example", "evil.example:4321", "localhost.evil.example", "10.0.0.1", "127.0.0.1:x",
                     "127.0.0.1:", "[::1", "1270.0.0.1", ""] {
            #expect(!open.isAllowedHost(host), "\(host)")
        }
        #expect(open.decide(authorization: nil, origin: nil, host: "rebind.evil.example:4321") != .allow(nil))
        // A token makes the host irrelevant (a name or a proxy may be in front).
        #expect(locked.decide(authorization: "Bearer s3cret", origin: nil, host: "jobs.example:80") == .allow(Self.secret))
    }

    @Test func wildcardBindAcceptsAddressLiteralsButNoNames() {
        let any = AccessPolicy(tokens: [], boundHosts: ["0.0.0.0"])
        #expect(any.isAllowedHost("192.0.2.7:4321"))
        #expect(!any.isAllowedHost("rebind.evil.example"))
    }

    @Test func tokenIsRequiredAndCheckedExactly() {
        #expect(locked.decide(authorization: nil, origin: nil, host: "127.0.0.1") == .unauthorized)
        for header in ["Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "s3cret", "Bearer ", "bearer S3CRET"] {
            #expect(locked.decide(authorization: header, origin: nil, host: nil) == .unauthorized, "\(header)")
        }
        #expect(locked.decide(authorization: "bearer s3cret", origin: nil, host: nil) == .allow(Self.secret))
        #expect(locked.decide(authorization: "Bearer  s3cret ", origin: nil, host: nil) == .allow(Self.secret))
    }

    @Test func constantTimeEqualComparesWholeArrays() {
        #expect(AccessPolicy.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!AccessPolicy.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!AccessPolicy.constantTimeEqual([1, 2], [1, 2, 0]))
        #expect(!AccessPolicy.constantTimeEqual([], [0]))
        #expect(AccessPolicy.constantTimeEqual([], []))
    }

    @Test func loopbackLiterals() {
        for name in ["127.0.0.1", "127.255.0.3", "::1", "::ffff:127.0.0.1"] { #expect(AccessPolicy.isLoopbackLiteral(name)) }
        for name in ["128.0.0.1", "0.0.0.0", "::", "localhost", "127.0.0", "127.0.0.256", "::ffff:10.0.0.1"] {
            #expect(!AccessPolicy.isLoopbackLiteral(name), "\(name)")
        }
    }

    @Test func tokenFileText() throws {
        #expect(try AccessToken.parse("abc-123\n", source: "f") == "abc-123")
        #expect(throws: ServerError.self) { try AccessToken.parse(" \n", source: "f") }
        #expect(throws: ServerError.self) { try AccessToken.parse("two words", source: "f") }
    }
}
