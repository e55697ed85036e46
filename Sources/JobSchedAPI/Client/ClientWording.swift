/// The server's messages speak HTTP (`add stream=stderr`, `limit must be an
/// integer`, `send 'Authorization: Bearer TOKEN'`); the client says them in
/// its own terms, the flags of the subcommand that was run (`add --stream stderr`).
extension ClientSubcommand {
    package func inItsTerms(_ message: String) -> String {
        var text = message.replacingAll("send 'Authorization: Bearer TOKEN'", with: "give --token-file FILE or set JOBSCHED_TOKEN")
        // `ls --last N` sets limit= (and sort=), but says itself what it is.
        let renamed = options.compactMap { option in option.parameter.map { ($0, option.long) } } + (self == .ls ? [("limit", "last")] : [])
        for (parameter, flag) in renamed where !parameter.isEmpty {
            text = text.replacingAll("\(parameter)=", with: "--\(flag) ", atWordStart: true)
                .replacingAll("parameter '\(parameter)'", with: "option --\(flag)")
            if text.hasPrefix(parameter + " ") { text = "--\(flag)" + text.dropFirst(parameter.count) }
        }
        // `leave out stream=` at the end: `leave out --stream`.
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension String {
    /// Every occurrence of `target` replaced; with `atWordStart`, only where no letter, digit or `_` comes before it.
    fileprivate func replacingAll(_ target: String, with replacement: String, atWordStart: Bool = false) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var index = startIndex
        while index < endIndex {
            let isWordStart = !atWordStart || (out.last ?? " ").isWordBoundary
            if self[index...].hasPrefix(target) && isWordStart {
                out += replacement
                index = self.index(index, offsetBy: target.count)
            } else {
                out.append(self[index])
                index = self.index(after: index)
            }
        }
        return out
    }
}

extension Character {
    fileprivate var isWordBoundary: Bool { !(isLetter || isNumber || self == "_" || self == "-") }
}
