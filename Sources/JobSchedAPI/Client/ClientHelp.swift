/// What `jobsched SUBCOMMAND --help` prints, the root help's list of client
/// subcommands, and the shell completion script: all from the declarations.
package enum ClientHelp {
    package static func usage(_ subcommand: ClientSubcommand) -> String {
        var text = "USAGE: jobsched \(subcommand.rawValue) [options] \(subcommand.argumentsUsage)\n\n"
        text += subcommand.summary.prefix(1).uppercased() + subcommand.summary.dropFirst() + ".\n"
        if let more = details(subcommand) { text += "\n" + more + "\n" }
        text += "\nOPTIONS:\n"
        let flags = subcommand.options.map(flagText)
        let width = (flags.map(\.count).max() ?? 0) + 2
        for (option, flag) in zip(subcommand.options, flags) {
            text += "  " + flag + String(repeating: " ", count: width - flag.count) + subcommand.help(for: option) + "\n"
        }
        return text
    }

    /// The lines of the root help that list the client subcommands.
    package static var subcommandList: String {
        let entries = ClientSubcommand.allCases.map { ($0.rawValue, $0.summary) }
            + [("completion", "a bash completion script: source <(jobsched completion)")]
        let width = (entries.map(\.0.count).max() ?? 0) + 2
        return entries.map { "  " + $0.padding(to: width) + $1 }.joined(separator: "\n")
    }

    /// `jobsched completion`: bash completion of subcommands and their
    /// options (zsh: after `autoload -U bashcompinit && bashcompinit`).
    package static var bashCompletion: String {
        var cases = ""
        for subcommand in ClientSubcommand.allCases {
            let names = subcommand == .ls ? "ls|status" : subcommand.rawValue
            let flags = subcommand.options.flatMap { option in ["--" + option.long] + (option.short.map { ["-\($0)"] } ?? []) }
            cases += "        \(names)) words=\"\(flags.joined(separator: " "))\" ;;\n"
        }
        let subcommands = (["serve"] + ClientSubcommand.allCases.map(\.rawValue) + ["status"]).joined(separator: " ")
        return """
            # jobsched completion for bash: source <(jobsched completion)
            _jobsched() {
                local cur=${COMP_WORDS[COMP_CWORD]} words
                if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
                    COMPREPLY=($(compgen -W "\(subcommands)" -- "$cur"))
                    return
                fi
                case ${COMP_WORDS[1]} in
            \(cases)        *) words=$("${COMP_WORDS[0]}" serve --help 2>/dev/null | grep -o -- '--[a-z-]*' | sort -u) ;;
                esac
                [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$words" -- "$cur"))
            }
            complete -o default -F _jobsched jobsched

            """
    }

    private static func details(_ subcommand: ClientSubcommand) -> String? {
        switch subcommand {
        case .add, .run:
            var text = """
                Several words after -- are quoted again for bash, so that they run as typed \
                (jobsched \(subcommand.rawValue) -- grep "a b" file); one word is a bash line as it is \
                (jobsched \(subcommand.rawValue) 'make && make test'). The job runs in this directory unless --cwd says otherwise.
                """
            if subcommand == .run {
                text += """
                    \n
                    Its stdout and stderr both come out on stdout. Ctrl-C kills the job. The exit status is the job's \
                    returncode; 128+N when signal N ended it; 124 when jobsched killed it (kill, timeout, shutdown); \
                    126 when it could not start; 125 when jobsched could not run it; 76 when the server's reply is not \
                    one jobsched sends.
                    """
            }
            return text
        case .follow: return "Ctrl-C stops following; the job goes on. The exit status is as for jobsched run."
        case .wait:
            return """
                Exit status 0 when every job ended with returncode 0; 1 otherwise (also when --timeout passed first). \
                The reply comes when the jobs end: without --timeout, it is awaited for as long as they take.
                """
        case .edit: return "e.g. jobsched edit 12 --priority 10 --delay 0; jobsched edit 12 -- make -j8"
        default: return nil
        }
    }

    private static func flagText(_ option: ClientOption) -> String {
        var text = option.short.map { "-\($0), " } ?? ""
        text += "--" + option.long
        if case .value(let name) = option.kind { text += " <\(name)>" }
        return text
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
