// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "jobsched",
    products: [
        .executable(name: "jobsched", targets: ["jobsched"]),
        // Fuzzing: test/fuzz (libFuzzer); a plain build replays corpus files.
        .executable(name: "jobsched-fuzz", targets: ["jobsched-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibEvent", path: "Modules/CLibEvent",
            pkgConfig: "libevent", providers: [.apt(["libevent-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Modules/CSQLite",
            pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Modules/COpenSSL",
            pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CPOSIX", path: "Modules/CPOSIX"),
        .systemLibrary(name: "CFuzzShim", path: "Modules/CFuzzShim"),
        // C compiled here: what needs libevent's private structs, the job spawner's child side, TLS.
        .target(name: "CSupport", dependencies: ["COpenSSL"], path: "Modules/CSupport"),
        // The layers, lowest first; each may import only those above it in this list.
        // Jobs, scheduling decisions, formatting: pure Swift, no C, no I/O.
        .target(name: "JobSchedModel"),
        // The HTTP endpoints' parameters and the requests parsed from them: pure.
        .target(name: "JobSchedAPI", dependencies: ["JobSchedModel"]),
        // The only layer that touches C: event loop, HTTP, SQLite, processes, POSIX.
        .target(
            name: "JobSchedSystem",
            dependencies: [
                "JobSchedModel", "CLibEvent", "CSQLite", "CPOSIX", "CSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The job runner: owns queued and running jobs; runs them through an Executor.
        .target(
            name: "JobSchedRunner",
            dependencies: [
                "JobSchedModel", "JobSchedSystem",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The server: wiring and shutdown, and one handler per endpoint.
        .target(
            name: "JobSchedDaemon",
            dependencies: [
                "JobSchedModel", "JobSchedAPI", "JobSchedSystem", "JobSchedRunner",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The dashboard's page, written here; compiled in as byte arrays (no Foundation, nothing to install).
            resources: [
                .embedInCode("Dashboard/index.html"), .embedInCode("Dashboard/app.js"), .embedInCode("Dashboard/app.css"),
            ]),
        .executableTarget(
            name: "jobsched",
            dependencies: [
                "JobSchedDaemon", "JobSchedAPI", "JobSchedModel", "JobSchedSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Symbols bound at start: the job spawner unmaps the libraries it does not
            // run, and a lazy binding after that would search their symbol tables.
            linkerSettings: [.unsafeFlags(["-Xlinker", "-z", "-Xlinker", "now"])],
            plugins: ["CommitStamp"]),
        // `jobsched --version` names the commit it was built from.
        .plugin(name: "CommitStamp", capability: .buildTool(), path: "Sources/CommitStamp"),
        .executableTarget(name: "jobsched-fuzz", dependencies: ["JobSchedAPI", "CFuzzShim"]),
        .testTarget(
            name: "JobSchedTests",
            // Depending on the executable makes `swift test` build the real binary
            // that the integration tests start.
            dependencies: [
                "JobSchedModel", "JobSchedAPI", "JobSchedSystem", "JobSchedRunner", "JobSchedDaemon", "jobsched",
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
