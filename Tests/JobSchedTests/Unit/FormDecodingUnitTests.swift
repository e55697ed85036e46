import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: FormDecoding")
struct FormDecodingUnitTests {
    /// Decoded pairs as `[name, value]`, comparable with `==`.
    private static func decode(_ bytes: some Collection<UInt8>) throws(RequestError) -> [[String]] {
        try FormDecoding.decodeURLEncoded(bytes).map { [$0.0, $0.1] }
    }

    // MARK: urlencoded

    @Test(arguments: [
        ("a=1&b=x y", [["a", "1"], ["b", "x y"]]),
        ("b=x+y", [["b", "x y"]]),
        ("b=x%20y", [["b", "x y"]]),
        ("%2B=1%2B1", [["+", "1+1"]]),               // an encoded plus stays a plus
        ("a%20b=1", [["a b", "1"]]),                 // names are decoded too
        ("a%3Db=c%26d", [["a=b", "c&d"]]),           // encoded = and & are data, not separators
        ("c=1=2", [["c", "1=2"]]),                   // only the first = separates
        ("flag", [["flag", ""]]),
        ("a=", [["a", ""]]),
        ("=v", [["", "v"]]),
        ("a=1&&b=2", [["a", "1"], ["b", "2"]]),
        ("&a=1&", [["a", "1"]]),
        ("", []),
        ("a=1&b=2&a=3&a=4", [["a", "1"], ["b", "2"], ["a", "3"], ["a", "4"]]),
        ("e=%C3%A9%E2%9C%93", [["e", "é✓"]]),
        ("e=é", [["e", "é"]]),                         // raw UTF-8 passes through
        ("a=%zz&b=%2&c=100%", [["a", "%zz"], ["b", "%2"], ["c", "100%"]]),  // bad escapes are left as they are
    ])
    func decodesURLEncoded(input: String, expected: [[String]]) throws {
        #expect(try Self.decode(input.utf8) == expected)
    }

    @Test(arguments: [
        ("a=%00", "parameters must not contain NUL bytes"),
        ("a%00=1", "parameters must not contain NUL bytes"),
        ("a=x%00", "parameters must not contain NUL bytes"),
        ("a=%ff", "parameters must be valid UTF-8"),
        ("%ff=1", "parameters must be valid UTF-8"),
        ("a=%C3", "parameters must be valid UTF-8"),       // truncated sequence
        ("a=%C0%AF", "parameters must be valid UTF-8"),    // overlong encoding of /
        ("a=%ED%A0%80", "parameters must be valid UTF-8"), // UTF-16 surrogate
    ])
    func rejectsNULAndInvalidUTF8(input: String, message: String) {
        #expect(throws: RequestError(status: 400, message: message)) { try Self.decode(input.utf8) }
    }

    /// A file of commands sent with `curl --data-binary @file` and no lines=1.
    @Test(arguments: ["echo a\necho b\n", "sleep 1\necho x=1\n", "a=1&echo b\nc=2", "\n"])
    func aBodyOfLinesIsNotAForm(input: String) {
        #expect(throws: FormDecoding.notAForm) { try Self.decode(input.utf8) }
    }

    @Test func newlinesInValuesAreFine() throws {
        #expect(try Self.decode("command=echo a%0Aecho b&name=x\n".utf8) == [["command", "echo a\necho b"], ["name", "x\n"]])
    }

    static let rawBytes: [([UInt8], String)] = [
        ([0x61, 0x3D, 0x78, 0x00, 0x79], "parameters must not contain NUL bytes"),  // a=x\0y
        ([0x00, 0x3D, 0x31], "parameters must not contain NUL bytes"),              // \0=1
        ([0x61, 0x3D, 0xFF], "parameters must be valid UTF-8"),                     // a=\xff
    ]

    @Test(arguments: rawBytes)
    func rejectsRawNULAndInvalidBytes(input: [UInt8], message: String) {
        #expect(throws: RequestError(status: 400, message: message)) { _ = try FormDecoding.decodeURLEncoded(input) }
    }

    @Test(arguments: [
        ("application/x-www-form-urlencoded", true),
        ("Application/X-WWW-Form-URLEncoded; charset=utf-8", true),
        ("application/x-www-form-urlencode", false),
        ("application/x-www-form-urlencodeD", true),
        ("application/x-www-form-urlencode\u{04}", false),   // only letters compare without case
        ("multipart/form-data; boundary=x", false),
        ("", false),
    ])
    func recognizesURLEncodedContentType(contentType: String, isURLEncoded: Bool) {
        #expect(FormDecoding.isURLEncoded(contentType: contentType) == isURLEncoded)
    }

    // MARK: multipart boundary

    @Test(arguments: [
        ("multipart/form-data; boundary=------------------------6ac11c69fb2977a4", "------------------------6ac11c69fb2977a4"),
        ("multipart/form-data; boundary=\"quoted boundary\"", "quoted boundary"),
        ("multipart/form-data;boundary=xyz", "xyz"),
        ("Multipart/Form-Data; BOUNDARY=xyz", "xyz"),
        ("multipart/form-data; charset=utf-8; boundary=xyz", "xyz"),
    ])
    func extractsBoundary(contentType: String, boundary: String) {
        #expect(FormDecoding.multipartBoundary(contentType: contentType) == boundary)
    }

    @Test(arguments: [
        "application/x-www-form-urlencoded",
        "text/plain; boundary=xyz",
        "multipart/mixed; boundary=xyz",
        "multipart/form-data",
        "multipart/form-data; charset=utf-8",
        "",
    ])
    func noBoundaryForOtherContentTypes(contentType: String) {
        #expect(FormDecoding.multipartBoundary(contentType: contentType) == nil)
    }

    // MARK: multipart body

    private static let boundary = "------------------------6ac11c69fb2977a4"

    /// A body built the way curl builds it: each part is (headers, value).
    private static func body(_ parts: [(String, String)], boundary: String = boundary) -> [UInt8] {
        var text = ""
        for (headers, value) in parts { text += "--\(boundary)\r\n\(headers)\r\n\r\n\(value)\r\n" }
        return Array((text + "--\(boundary)--\r\n").utf8)
    }

    private static func decodeMultipart(_ body: [UInt8], boundary: String = boundary) throws(RequestError) -> [[String]] {
        try FormDecoding.decodeMultipart(body, boundary: boundary).map { [$0.0, $0.1] }
    }

    @Test func decodesWhatCurlSends() throws {
        // Captured verbatim from `curl -F a=1 -F "b=x y"`.
        let captured = "--------------------------6ac11c69fb2977a4\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
            + "--------------------------6ac11c69fb2977a4\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nx y\r\n"
            + "--------------------------6ac11c69fb2977a4--\r\n"
        #expect(try Self.decodeMultipart(Array(captured.utf8)) == [["a", "1"], ["b", "x y"]])
        #expect(Self.body([("Content-Disposition: form-data; name=\"a\"", "1"),
                           ("Content-Disposition: form-data; name=\"b\"", "x y")]) == Array(captured.utf8))
    }

    @Test func keepsValuesVerbatim() throws {
        let body = Self.body([
            ("Content-Disposition: form-data; name=\"command\"", "echo a\r\necho b\n%20+&="),
            ("Content-Disposition: form-data; name=\"empty\"", ""),
            ("content-disposition: form-data; name=\"lower\"", "é"),
            ("Content-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain", "file text"),
            ("Content-Disposition: form-data; name=\"command\"", "second"),
        ])
        #expect(try Self.decodeMultipart(body) == [
            ["command", "echo a\r\necho b\n%20+&="], ["empty", ""], ["lower", "é"], ["f", "file text"], ["command", "second"],
        ])
    }

    @Test func emptyFormAndPreamble() throws {
        #expect(try Self.decodeMultipart(Array("--\(Self.boundary)--\r\n".utf8)) == [])
        let withPreamble = Array("ignored preamble\r\n".utf8) + Self.body([("Content-Disposition: form-data; name=\"a\"", "1")])
        #expect(try Self.decodeMultipart(withPreamble) == [["a", "1"]])
    }

    static let malformedBodies: [(String, [UInt8], String)] = {
        let part = "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        return [
            ("empty body", [], boundary),
            ("no delimiter", Array("a=1".utf8), boundary),
            ("other boundary", body([("Content-Disposition: form-data; name=\"a\"", "1")], boundary: "other"), boundary),
            ("empty boundary", body([("Content-Disposition: form-data; name=\"a\"", "1")], boundary: ""), ""),
            ("no closing delimiter", Array(part.utf8), boundary),
            ("ends after a delimiter", Array((part + "--\(boundary)").utf8), boundary),
            ("junk after a delimiter", Array("--\(boundary)X\r\n".utf8) + body([]), boundary),
            ("no blank line after headers", Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n1\r\n--\(boundary)--\r\n".utf8), boundary),
            ("no name", body([("Content-Disposition: form-data", "1")]), boundary),
            ("no Content-Disposition", body([("Content-Type: text/plain", "1")]), boundary),
        ]
    }()

    @Test(arguments: malformedBodies)
    func rejectsMalformedBodies(_ what: String, body: [UInt8], boundary: String) {
        #expect(throws: RequestError(status: 400, message: "malformed multipart/form-data body"), "\(what)") {
            try Self.decodeMultipart(body, boundary: boundary)
        }
    }

    @Test func rejectsNULAndInvalidUTF8InParts() {
        let nul = Self.body([("Content-Disposition: form-data; name=\"a\"", "x\0y")])
        #expect(throws: RequestError(status: 400, message: "parameters must not contain NUL bytes")) { try Self.decodeMultipart(nul) }
        var invalid = Self.body([("Content-Disposition: form-data; name=\"a\"", "x")])
        invalid[invalid.firstIndex(of: UInt8(ascii: "x"))!] = 0xFF
        #expect(throws: RequestError(status: 400, message: "parameters must be valid UTF-8")) { try Self.decodeMultipart(invalid) }
    }
}
