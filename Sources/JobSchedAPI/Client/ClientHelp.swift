import JobSchedModel

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

    /// `jobsched help`, `jobsched --help`: the server and every client subcommand.
    package static var root: String {
        """
        jobsched: a job scheduler. A server runs bash command lines sent over HTTP, at most -j at once;
        the same binary is its client.

        USAGE: jobsched [serve] [server options]      start the server (options: jobsched help serve)
               jobsched SUBCOMMAND [options] [...]     talk to it (options: jobsched help SUBCOMMAND)

        SUBCOMMANDS:
          \("serve".padding(to: subcommandWidth))start the server: in the foreground, or with --detach in the background
        \(subcommandList)

        The client finds the server at --url, else $JOBSCHED_URL, else 127.0.0.1:4321. curl works too: curl 127.0.0.1:4321/help

        """
    }

    /// What an unknown subcommand gets: the nearest one it may have meant, and the list.
    package static func unknownSubcommand(_ name: String) -> String {
        var text = "jobsched: unknown subcommand \(Excerpt.quoted(name))"
        if let meant = nearestSubcommand(to: name) { text += "; did you mean '\(meant)'?" }
        return text + "\n\nSUBCOMMANDS:\n  " + "serve".padding(to: subcommandWidth) + "start the server\n" + subcommandList + "\n"
    }

    /// Other tools' names for a subcommand, then the nearest by spelling (at most two edits).
    private static func nearestSubcommand(to name: String) -> String? {
        let synonyms = ["list": "ls", "status": "ls", "remove": "rm", "delete": "rm", "submit": "add", "cancel": "kill",
                        "output": "log", "logs": "log", "tail": "follow", "start": "serve", "server": "serve", "stop": "shutdown"]
        if let meant = synonyms[name.lowercased()] { return meant }
        let names = ["serve"] + ClientSubcommand.allCases.map(\.rawValue)
        let scored = names.map { ($0, editDistance(Array(name.lowercased().utf8), Array($0.utf8))) }.min { $0.1 < $1.1 }
        return scored.flatMap { $0.1 <= 2 ? $0.0 : nil }
    }

    /// Levenshtein distance, for a few short words.
    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    private static var subcommandWidth: Int {
        (ClientSubcommand.allCases.map(\.rawValue.count) + ["completion".count]).max()! + 2
    }

    /// The lines of the root help that list the client subcommands.
    package static var subcommandList: String {
        let entries = ClientSubcommand.allCases.map { ($0.rawValue, $0.summary) }
            + [("completion", "a bash completion script: source <(jobsched completion)")]
        return entries.map { "  " + $0.padding(to: subcommandWidth) + $1 }.joined(separator: "\n")
    }

    /// `jobsched completion`: bash completion of subcommands, their options,
    /// and the ids of queued and running jobs and the group names, asked of
    /// the server with a short timeout (zsh: after `autoload -U bashcompinit && bashcompinit`).
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
            _jobsched_ids() { "${COMP_WORDS[0]}" ls -a --fields jobid --server-timeout 1 2>/dev/null | tail -n +2; }
            _jobsched_groups() { "${COMP_WORDS[0]}" groups --server-timeout 1 2>/dev/null | tail -n +2 | cut -d' ' -f1; }
            _jobsched() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words
                if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
                    COMPREPLY=($(compgen -W "\(subcommands)" -- "$cur"))
                    return
                fi
                if [[ $cur != -* ]]; then
                    case $prev in
                        -g|--group) COMPREPLY=($(compgen -W "$(_jobsched_groups)" -- "$cur")); return ;;
                    esac
                    case ${COMP_WORDS[1]} in
                        kill|wait|follow|log|show|edit) COMPREPLY=($(compgen -W "$(_jobsched_ids)" -- "$cur")); return ;;
                        pause|resume|groups) COMPREPLY=($(compgen -W "$(_jobsched_groups)" -- "$cur")); return ;;
                    esac
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
