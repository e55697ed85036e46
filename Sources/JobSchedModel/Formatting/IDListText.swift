/// Job ids one per line, as a batch submit replies: written as bytes, since
/// a reply of 100,000 ids made a string for each took the loop for milliseconds.
package enum IDListText {
    package static func lines(_ ids: [JobID]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 8)
        var digits = [UInt8](repeating: 0, count: 20)
        for id in ids {
            var rest = id.magnitude
            var count = 0
            repeat {
                digits[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            if id < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: digits[..<count].reversed())
            bytes.append(UInt8(ascii: "\n"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
