import Foundation
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem
import Testing

/// The fuzz seed corpus, run through the same entry point libFuzzer calls, so
/// that a plain `swift test` keeps every seed (and any crash input added to
/// Fuzz/corpus) passing.
@Suite("Unit: fuzz corpus")
struct FuzzCorpusUnitTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    @Test func everySeedParsesWithoutTrapping() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: FuzzCorpusUnitTests.corpus.path)
        #expect(files.count >= 5)
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: FuzzCorpusUnitTests.corpus.appendingPathComponent(file).path))
            data.withUnsafeBytes { UntrustedInput.parse($0) }
        }
    }

    /// A seed named after an endpoint (`kill-ids`) is parsed as that endpoint's request.
    @Test func namedSeedsPickTheirEndpoint() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: FuzzCorpusUnitTests.corpus.path)
        for file in files {
            guard let named = Endpoint(rawValue: String(file.prefix(while: { $0 != "-" }))) else { continue }
            let data = try #require(FileManager.default.contents(atPath: FuzzCorpusUnitTests.corpus.appendingPathComponent(file).path))
            #expect(UntrustedInput.endpoint(selector: data[0]) == named, "\(file)")
        }
    }

    @Test func seedsReachTheTypedRequests() throws {
        let data = try #require(FileManager.default.contents(atPath: FuzzCorpusUnitTests.corpus.appendingPathComponent("submit-multipart").path))
        let newline = try #require(data.firstIndex(of: UInt8(ascii: "\n")))
        let boundary = try #require(FormDecoding.multipartBoundary(contentType: String(decoding: data[1..<newline], as: UTF8.self)))
        let pairs = try FormDecoding.decodeMultipart(Array(data[(newline + 1)...]), boundary: boundary)
        let request = try SubmitRequest(Parameters(pairs, for: .submit))
        #expect(request.command == "echo \"a b\"" && !request.sync)
    }
}
