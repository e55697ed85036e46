import CFuzzShim
import Foundation
import JobSchedAPI

/// libFuzzer calls this once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    UntrustedInput.parse(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// Built with `-sanitize=fuzzer`: runs libFuzzer with the command line.
/// Built plainly: replays the files (or directories of files) named on the command line.
@main
struct FuzzMain {
    static func main() {
        if shim_libfuzzer_linked() != 0 {
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(shim_run_libfuzzer(&argc, &argv) { data, size in fuzzOneInput(data, size) })
        }
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path)).map { $0.sorted().map { path + "/" + $0 } } ?? [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                data.withUnsafeBytes { UntrustedInput.parse($0) }
                count += 1
            }
        }
        print("replayed \(count) inputs (built without libFuzzer)")
    }
}
