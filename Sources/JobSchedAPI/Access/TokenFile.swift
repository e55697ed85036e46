import JobSchedModel

/// What a token may do. Each role may do all that the one before it may.
package enum AccessRole: String, CaseIterable, Sendable {
    /// Every view: listings, output, waits, events, the overview, metrics, health, help.
    case read
    /// Read, and submit jobs; kill, edit, restart and remove its own.
    case submit
    /// Everything, on every job: shutdown, pause and resume, groups, clean, others' jobs.
    case admin

    /// Whether the role may use `endpoint` at all (a submit token is also held to its own jobs).
    package func mayUse(_ endpoint: Endpoint) -> Bool {
        switch self {
        case .admin: return true
        case .submit: return !endpoint.needsAdmin
        case .read: return !endpoint.makesChanges
        }
    }
}

extension Endpoint {
    /// Endpoints that change something: jobs (a submit token may, on its own
    /// jobs) or the server (`needsAdmin`).
    package var makesChanges: Bool {
        switch self {
        case .submit, .kill, .edit, .restart, .remove: return true
        default: return needsAdmin
        }
    }

    /// Endpoints that change the server or every job: admin tokens only.
    package var needsAdmin: Bool {
        switch self {
        case .shutdown, .pause, .resume, .group, .clean: return true
        default: return false
        }
    }
}

/// One token the server accepts: its name (what jobs record as their
/// `owner` and the log names), its role, and the secret itself.
package struct NamedToken: Equatable, Sendable {
    package let name: String
    package let role: AccessRole
    package let secret: String

    /// `JOBSCHED_TOKEN`, or a token file's line that is only a token.
    package static func admin(_ secret: String) -> NamedToken {
        NamedToken(name: "admin", role: .admin, secret: secret)
    }
}

/// `--token-file`: one token per line. A line that is only a token is an
/// admin token (named `admin`); `NAME ROLE TOKEN` names one and gives it a
/// role; `#` starts a comment, blank lines are skipped.
package enum TokenFile {
    /// The shortest token a file may hold: long enough that guessing is hopeless.
    package static let minimumLength = 16

    /// The tokens of a file's text; a line that cannot be taken stops the
    /// server at start, with its number and why.
    package static func parse(_ text: String, source: String) throws(ServerError) -> [NamedToken] {
        var tokens: [NamedToken] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = "\(source) line \(index + 1)"
            let words = uncommented(rawLine).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard !words.isEmpty else { continue }
            let token: NamedToken
            switch words.count {
            case 1:
                token = .admin(String(words[0]))
            case 3:
                guard let role = AccessRole(rawValue: String(words[1])) else {
                    throw ServerError("\(line): unknown role \(Excerpt.quoted(String(words[1]))); a role is read, submit or admin")
                }
                guard isName(words[0]) else {
                    throw ServerError("\(line): a token's name is letters, digits, '-', '_' and '.', at most 64; got \(Excerpt.quoted(String(words[0])))")
                }
                token = NamedToken(name: String(words[0]), role: role, secret: String(words[2]))
            default:
                throw ServerError("\(line): expected TOKEN, or NAME ROLE TOKEN; got \(words.count) words")
            }
            guard token.secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
                throw ServerError("\(line): a token is printable ASCII without spaces")
            }
            guard token.secret.count >= minimumLength else {
                throw ServerError("\(line): the token is shorter than \(minimumLength) characters (make one with: head -c 32 /dev/urandom | base64)")
            }
            if tokens.contains(where: { $0.name == token.name }) {
                throw ServerError("\(line): the name \(Excerpt.quoted(token.name)) is given twice")
            }
            if tokens.contains(where: { $0.secret == token.secret }) {
                throw ServerError("\(line): the same token is on an earlier line")
            }
            tokens.append(token)
        }
        guard !tokens.isEmpty else { throw ServerError("\(source) holds no token") }
        return tokens
    }

    /// A line without its comment: `#` at its start or after a space.
    private static func uncommented(_ line: Substring) -> Substring {
        var previous: Character = " "
        for index in line.indices {
            if line[index] == "#" && (previous == " " || previous == "\t") { return line[..<index] }
            previous = line[index]
        }
        return line
    }

    private static func isName(_ name: Substring) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }
}
