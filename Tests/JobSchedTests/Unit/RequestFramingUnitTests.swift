@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem
import Testing

@Suite("Unit: request framing")
struct RequestFramingUnitTests {
    func problem(body: Bool = true, lengths: [String] = [], encodings: [String] = [], hosts: Int = 1,
                 http10: Bool = false) -> RequestError? {
        RequestFraming(methodHasBody: body, contentLengths: lengths, transferEncodings: encodings, hostCount: hosts,
                       isHTTP10: http10).problem
    }

    @Test func wellFramedRequestsPass() {
        #expect(problem() == nil)
        #expect(problem(lengths: ["19"]) == nil)
        #expect(problem(lengths: ["19", "19"]) == nil)
        #expect(problem(encodings: ["chunked"]) == nil)
        #expect(problem(encodings: ["Chunked"]) == nil)
        #expect(problem(body: false, lengths: ["0"]) == nil)
    }

    @Test func ambiguousLengthsAre400() {
        #expect(problem(lengths: ["0", "19"])?.status == 400)
        #expect(problem(lengths: ["19"], encodings: ["chunked"])?.status == 400)
        for length in ["+19", "-1", "", "1 9", "0x13", "19,19", "١٩"] {
            #expect(problem(lengths: [length])?.status == 400, "\(length)")
        }
    }

    @Test func transferEncodingsOtherThanChunkedAre501() {
        #expect(problem(encodings: ["gzip"])?.status == 501)
        #expect(problem(encodings: ["gzip, chunked"])?.status == 501)
        #expect(problem(encodings: ["chunked", "chunked"])?.status == 501)
    }

    /// evhttp reads no body for them: the body would be read as the next request.
    @Test func methodsWithoutBodyMustNotHaveOne() {
        #expect(problem(body: false, lengths: ["5"])?.status == 400)
        #expect(problem(body: false, encodings: ["chunked"])?.status == 400)
    }

    @Test func exactlyOneHost() {
        #expect(problem(hosts: 0)?.message.contains("Host") == true)
        #expect(problem(hosts: 2)?.status == 400)
    }

    /// RFC 9112 requires Host of HTTP/1.1 clients only.
    @Test func http10MaySendNoHost() {
        #expect(problem(hosts: 0, http10: true) == nil)
        #expect(problem(hosts: 2, http10: true)?.status == 400)
    }
}
