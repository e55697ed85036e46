import Foundation
import Testing
@testable import JobSchedAPI
@testable import JobSchedModel

/// `--token-file`'s lines, and what each role may use.
@Suite("Unit: token file and roles")
struct TokenFileUnitTests {
    @Test func linesAreTokensNamesAndRoles() throws {
        let tokens = try TokenFile.parse("""
            # comment
            abcdefghijklmnop0123
              ci\tsubmit ci-0123456789abcdefgh   # the runner
            viewer read viewer#0123456789abcdef
            """, source: "f")
        #expect(tokens == [NamedToken.admin("abcdefghijklmnop0123"), NamedToken(name: "ci", role: .submit, secret: "ci-0123456789abcdefgh"),
                           NamedToken(name: "viewer", role: .read, secret: "viewer#0123456789abcdef")])
        // The fuzzer's seed is such a file.
        let seed = try #require(FileManager.default.contents(atPath: FuzzCorpusUnitTests.corpus.appendingPathComponent("token-file").path))
        #expect(seed.first == UntrustedInput.tokenFileSelector)
        #expect(try TokenFile.parse(String(decoding: seed.dropFirst(), as: UTF8.self), source: "seed").map(\.name) == ["admin", "ci", "viewer"])
        #expect(throws: ServerError.self) { try TokenFile.parse("ci submit ci-0123456789abcdefgh é\n", source: "f") }
        #expect(throws: ServerError.self) { try TokenFile.parse("c/i submit ci-0123456789abcdefgh\n", source: "f") }
        #expect(throws: ServerError.self) { try TokenFile.parse("ci submit ci-0123456789abcdeé\n", source: "f") }
    }

    @Test func eachRoleMayDoWhatTheOneBeforeItMay() {
        for endpoint in Endpoint.allCases {
            #expect(AccessRole.admin.mayUse(endpoint))
            if AccessRole.read.mayUse(endpoint) { #expect(AccessRole.submit.mayUse(endpoint)) }
        }
        #expect(Endpoint.allCases.filter { AccessRole.read.mayUse($0) }
                == [.help, .jobinfo, .output, .wait, .events, .overview, .metrics, .health])
        #expect(Endpoint.allCases.filter { AccessRole.submit.mayUse($0) && !AccessRole.read.mayUse($0) }
                == [.submit, .kill, .edit, .remove, .restart])
    }
}
