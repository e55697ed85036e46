/// A JSON value with object keys kept in the order they were written, so
/// replies list a job's keys in the documented order.
package enum JSON: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A duration, written as a number of seconds to the millisecond jobsched
    /// keeps (`30.002`, `90`): no float noise, no exponent.
    case seconds(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    package static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.serialized() == rhs.serialized() }

    package func serialized() -> String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .seconds(let value): out += Timestamp.seconds(value)
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += ", " }
                JSON.writeString(key, to: &out)
                out += ": "
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        out += s.escaping { $0 == "\"" ? "\\\"" : String($0) }
        out += "\""
    }
}

extension JSON {
    package init(_ value: String?) { self = value.map(JSON.string) ?? .null }
    package init<I: BinaryInteger>(_ value: I?) { self = value.map { .int(Int64($0)) } ?? .null }
    package init(seconds value: Double?) { self = value.map(JSON.seconds) ?? .null }
}
