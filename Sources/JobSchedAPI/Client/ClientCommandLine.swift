import JobSchedModel

/// A client subcommand's arguments, parsed against its declared options.
package struct ClientCommandLine: Sendable {
    /// Each option given, by its long name, with its value (a flag's fixed text), in order.
    package var options: [(name: String, value: String)] = []
    /// What is not an option: job ids, a group, or a command's words.
    package var arguments: [String] = []

    /// The last value given for an option, if any.
    package func value(_ long: String) -> String? { options.last { $0.name == long }?.value }

    package func has(_ long: String) -> Bool { value(long) != nil }

    /// Reads `args` (after the subcommand's name). `--` ends the options;
    /// with `commandFollows`, so does the first word that is not an option,
    /// so that `jobsched add echo -n hi` runs `echo -n hi`.
    package init(parsing args: [String], options declared: [ClientOption], commandFollows: Bool) throws(CommandLineError) {
        var index = 0
        while index < args.count {
            let arg = args[index]
            index += 1
            if arg == "--" {
                arguments += args[index...]
                return
            }
            guard arg.hasPrefix("-"), arg.count > 1, !Self.isNumber(arg) else {
                arguments.append(arg)
                if commandFollows {
                    arguments += args[index...]
                    return
                }
                continue
            }
            var name = Substring(arg)
            var inlineValue: String?
            let option: ClientOption?
            if arg.hasPrefix("--") {
                name = name.dropFirst(2)
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = name[..<equals]
                }
                option = declared.first { $0.long == name }
            } else {
                // -n NAME, or -nNAME.
                let letter = name.dropFirst().first!
                option = declared.first { $0.short == letter }
                if name.count > 2 { inlineValue = String(name.dropFirst(2)) }
            }
            guard let option else { throw CommandLineError("unknown option '\(arg)'") }
            switch option.kind {
            case .flag(let fixed):
                guard inlineValue == nil else { throw CommandLineError("--\(option.long) takes no value") }
                options.append((option.long, fixed))
            case .value(let valueName):
                if let inlineValue {
                    options.append((option.long, inlineValue))
                } else {
                    guard index < args.count else { throw CommandLineError("--\(option.long) needs a value <\(valueName)>") }
                    options.append((option.long, args[index]))
                    index += 1
                }
            }
        }
    }

    /// `-5` is a value (a priority), not an option.
    private static func isNumber(_ arg: String) -> Bool { Int(arg) != nil }
}
