import PackagePlugin

/// Writes the commit the binary is built from into the source of the target
/// that uses this plugin (`BuildCommit.swift`: `let buildCommit`), for
/// `jobsched --version`. A prebuild command runs before every build, so the
/// commit is never stale; the file is rewritten only when the text changes,
/// so an unchanged commit recompiles nothing. The commit's hash (tags
/// ignored), `-dirty` with uncommitted changes; outside a git checkout, or
/// without git, `unknown`.
@main
struct CommitStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "stamp")
        let script = """
            commit=$(git -C "$1" describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null) || commit=unknown
            text="let buildCommit = \\"$commit\\""
            mkdir -p "$2"
            [ "$(cat "$2/BuildCommit.swift" 2>/dev/null)" = "$text" ] || printf '%s\\n' "$text" >"$2/BuildCommit.swift"
            """
        return [
            .prebuildCommand(
                displayName: "Stamping the commit into \(target.name)",
                executable: .init(filePath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path(), output.path()],
                outputFilesDirectory: output),
        ]
    }
}
