/// A memory size in Slurm's syntax, as `mem=` and `--mem` take it: digits and
/// at most one unit, `K`, `M`, `G` or `T` (either case, powers of 1024); a
/// bare number is megabytes. `500M`, `4G`, `1T`, `2000`.
package struct MemorySize: Equatable, Comparable, Sendable {
    package let bytes: Int

    package init(bytes: Int) { self.bytes = bytes }

    package static let syntax = "a size such as 500M, 4G or 1T (K, M, G, T: powers of 1024; a bare number is megabytes)"

    /// Nil for anything else, for zero, and for sizes past 1024 T.
    package init?(_ text: some StringProtocol) {
        var digits = Substring(text)
        var shift: Int = 20
        if let last = digits.last, let unit = "KMGT".firstIndex(of: Character(last.uppercased())) {
            shift = 10 * Int("KMGT".distance(from: "KMGT".startIndex, to: unit) + 1)
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 16, digits.utf8.allSatisfy(isASCIIDigit),
              let value = Int(digits), value > 0, value <= Int(1) << (50 - shift) else { return nil }
        bytes = value << shift
    }

    /// The shortest exact text: `4G` for 4 GiB, `1536M` for 1.5 GiB, `1K` up; `0` for none.
    package var text: String {
        guard bytes != 0 else { return "0" }
        for (shift, unit) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] where bytes % (Int(1) << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return "\(bytes)"
    }

    package static func < (a: MemorySize, b: MemorySize) -> Bool { a.bytes < b.bytes }
}
