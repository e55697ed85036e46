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
        .systemLibrary(name: "CFuzzShim", path: "Modules/CFuzzShim"),
        .target(
            name: "JobSchedCore",
            dependencies: [
                "CLibEvent", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "jobsched",
            dependencies: [
                "JobSchedCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(name: "jobsched-fuzz", dependencies: ["JobSchedCore", "CFuzzShim"]),
        .testTarget(
            name: "JobSchedTests",
            // Depending on the executable makes `swift test` build the real binary
            // that the integration tests start.
            dependencies: ["JobSchedCore", "jobsched"]),
    ]
)
