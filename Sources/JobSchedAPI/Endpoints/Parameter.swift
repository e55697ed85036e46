import JobSchedModel

/// One HTTP parameter, declared once: its name, what `/help` says of it
/// (required or not, its default, its meaning) and how its value is read and
/// checked. Both `/help` and the typed requests come from these declarations,
/// as swift-argument-parser's `@Option` carries a flag's name, default and help.
package struct Parameter<Value>: Sendable {
    package let spec: ParameterSpec
    private let read: @Sendable (Parameters, String) throws(RequestError) -> Value

    package init(_ spec: ParameterSpec, read: @escaping @Sendable (Parameters, String) throws(RequestError) -> Value) {
        self.spec = spec
        self.read = read
    }

    package func value(in p: Parameters) throws(RequestError) -> Value { try read(p, spec.name) }

    /// The value when the request gives one, else nil rather than the default:
    /// an edit leaves what it does not name as it is.
    package func valueIfGiven(in p: Parameters) throws(RequestError) -> Value? {
        p.string(spec.name) == nil ? nil : try value(in: p)
    }
}

extension Parameter where Value == String {
    package static func required(_ name: String, _ help: String) -> Parameter {
        Parameter(.required(name, help)) { p, name throws(RequestError) in try p.required(name) }
    }

    /// A job name or group, with the value used when none is given.
    package static func label(_ name: String, default value: String, _ help: String) -> Parameter {
        Parameter(.optional(name, default: value, help)) { p, name throws(RequestError) in try p.label(name) ?? value }
    }
}

extension Parameter where Value == String? {
    package static func text(_ name: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name in p.string(name) }
    }

    package static func label(_ name: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in try p.label(name) }
    }

    /// A value that must pass `isValid`; the error shows `example`.
    package static func checked(_ name: String, _ help: String, example: String,
                                _ isValid: @escaping @Sendable (String) -> Bool) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in
            guard let value = p.string(name) else { return nil }
            guard isValid(value) else {
                throw .badRequest("\(name) must look like \(Excerpt.quoted(example)), not \(Excerpt.quoted(value))")
            }
            return value
        }
    }
}

extension Parameter where Value == WebhookURL? {
    /// A notify URL, checked as `WebhookURL` takes it; empty: none.
    package static func webhook(_ name: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in
            guard let text = p.string(name), !text.isEmpty else { return nil }
            do throws(WebhookURL.Refusal) {
                return try WebhookURL(text)
            } catch {
                throw .badRequest("\(name): \(error.reason)")
            }
        }
    }
}

extension Parameter where Value == Int? {
    package static func integer(_ name: String, range: ClosedRange<Int>, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in
            p.string(name) == nil ? nil : try p.integer(name, default: 0, range: range)
        }
    }
}

extension Parameter where Value == Bool {
    package static func flag(_ name: String, default value: Bool, _ help: String) -> Parameter {
        Parameter(.optional(name, default: value ? "1" : "0", help)) { p, name throws(RequestError) in
            try p.flag(name, default: value)
        }
    }

    /// A parameter that takes one word (`returncode=nonzero`): whether it was given.
    package static func word(_ name: String, _ word: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in
            switch p.string(name) {
            case nil: return false
            case word?: return true
            case let other?: throw .badRequest("\(name) must be '\(word)', not \(Excerpt.quoted(other))")
            }
        }
    }
}

extension Parameter {
    /// One of an enumeration's words (`view=table`), or nil when not given.
    package static func choice<Choice>(_ name: String, _ help: String) -> Parameter
    where Value == Choice?, Choice: RawRepresentable & CaseIterable & Sendable, Choice.RawValue == String {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in
            guard let text = p.string(name) else { return nil }
            guard let choice = Choice(rawValue: text) else {
                throw .badRequest("\(name) must be " + Choice.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
                                  + ", not \(Excerpt.quoted(text))")
            }
            return choice
        }
    }
}

extension Parameter where Value == Int {
    package static func integer(_ name: String, default value: Int, range: ClosedRange<Int>, _ help: String) -> Parameter {
        Parameter(.optional(name, default: String(value), help)) { p, name throws(RequestError) in
            try p.integer(name, default: value, range: range)
        }
    }
}

extension Parameter where Value == Double? {
    package static func seconds(_ name: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in try p.seconds(name) }
    }

    /// An ISO-8601 time, as seconds since the epoch.
    package static func time(_ name: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in try p.time(name) }
    }
}

extension Parameter where Value == Double {
    package static func seconds(_ name: String, default value: Double, _ help: String) -> Parameter {
        Parameter(.optional(name, default: Timestamp.seconds(value), help)) { p, name throws(RequestError) in
            try p.seconds(name) ?? value
        }
    }
}

extension Parameter where Value == [JobID] {
    /// Comma-separated job ids; none is an empty list.
    package static func jobIDs(_ name: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name throws(RequestError) in try p.jobIDs(name) }
    }

    /// Comma-separated job ids, at least one.
    package static func requiredJobIDs(_ name: String, _ help: String) -> Parameter {
        Parameter(.required(name, help)) { p, name throws(RequestError) in try p.requiredJobIDs(name) }
    }
}

extension Parameter where Value == [String] {
    /// A comma-separated list; `defaultText` is what `/help` shows for none.
    package static func list(_ name: String, default defaultText: String? = nil, _ help: String) -> Parameter {
        Parameter(.optional(name, default: defaultText, help)) { p, name in p.list(name) }
    }

    /// Every value of a parameter given more than once.
    package static func repeated(_ name: String, _ help: String) -> Parameter {
        Parameter(.optional(name, help)) { p, name in p.repeated(name) }
    }
}

extension Parameter where Value == OutputFormat {
    /// `format=`: text or JSON replies; `help` where an endpoint says more.
    package static func format(_ help: String = "reply as 'text' or 'json'") -> Parameter {
        Parameter(.optional("format", default: "text", help)) { p, _ throws(RequestError) in try p.format }
    }
}
