/// One option of a client subcommand, declared once: its flags, the endpoint
/// parameter it sets, and its help (by default the parameter's own, from
/// `/help`: see `ClientSubcommand.help(for:)`). The client parses its command line from
/// these declarations itself: swift-argument-parser's reflection costs more
/// at start than a whole `jobsched add` round trip (see README, Performance).
package struct ClientOption: Sendable {
    package enum Kind: Sendable, Equatable {
        /// Takes a value, shown in help as `<name>`.
        case value(String)
        /// Takes none; sets its parameter to this text.
        case flag(String)
    }

    package let long: String
    package let short: Character?
    package let kind: Kind
    /// The endpoint's parameter; nil for what the client itself reads (`--url`).
    package let parameter: String?
    /// A file path: made absolute against the client's directory, since the
    /// server resolves relative paths against its own.
    package let isPath: Bool
    /// nil: the endpoint parameter's help says it.
    package let help: String?

    package static func value(_ long: String, _ short: Character? = nil, as valueName: String, parameter: String? = nil,
                              isPath: Bool = false, _ help: String? = nil) -> ClientOption {
        ClientOption(long: long, short: short, kind: .value(valueName), parameter: parameter ?? long, isPath: isPath, help: help)
    }

    package static func flag(_ long: String, _ short: Character? = nil, sets parameter: String, to value: String = "1",
                             _ help: String) -> ClientOption {
        ClientOption(long: long, short: short, kind: .flag(value), parameter: parameter, isPath: false, help: help)
    }

    /// Read by the client, sent to no endpoint.
    package static func local(_ long: String, _ short: Character? = nil, as valueName: String? = nil, _ help: String) -> ClientOption {
        ClientOption(long: long, short: short, kind: valueName.map { .value($0) } ?? .flag("1"), parameter: nil,
                     isPath: false, help: help)
    }
}
