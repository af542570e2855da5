// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "orkestron",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orkctl", targets: ["orkctl"]),
        .executable(name: "orkestrond", targets: ["orkestrond"]),
        .library(name: "OrkestronCore", targets: ["OrkestronCore"]),
        // For the fuzzing package in Tests/Fuzz, which can only reach this package's modules through products.
        .library(name: "OrkestronConfig", targets: ["OrkestronConfig"]),
        .library(name: "OrkestronProtocol", targets: ["OrkestronProtocol"]),
        // Load tests and benchmarks for developers (`make soak`); not installed and not in the Debian package.
        .executable(name: "orkbench", targets: ["orkbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // The pure engine: schedules, policies, the run state machine. Standard library and Foundation only.
        .target(name: "OrkestronCore"),
        // Aggregates the engine's events into counts, rates and latency percentiles.
        .target(
            name: "OrkestronMetrics",
            dependencies: [
                "OrkestronCore",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // TOML → validated definitions, with file:line:column diagnostics.
        .target(
            name: "OrkestronConfig",
            dependencies: ["OrkestronCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // SQLite persistence: definitions, job state, runs, attempts, events.
        .target(
            name: "OrkestronStore",
            dependencies: [
                "OrkestronCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // libsystemd (apt: libsystemd-dev, found with pkg-config); only OrkestronSystemd imports it.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // sched_setattr(2) for the engine's thread: a short time slice, so its wake-ups preempt the control plane.
        .target(name: "CLinuxScheduling"),
        // mallopt(3): large blocks (answers about every job) mapped apart from the heap, so their memory goes back.
        .target(name: "CMalloc"),
        // sd_notify, the watchdog, socket activation and the journal log handler, in Swift.
        .target(
            name: "OrkestronSystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // JSON-RPC 2.0 envelopes and the wire encoding of the engine's values.
        .target(name: "OrkestronProtocol", dependencies: ["OrkestronCore", "OrkestronConfig"]),
        // What operators read: tables, relative times, event lines, the timeline chart and the dashboard, as pure
        // functions from protocol results to text, so orkctl stays thin and every screen has golden tests.
        .target(name: "OrkestronConsole", dependencies: ["OrkestronCore", "OrkestronProtocol"]),
        // `orkctl simulate`: the engine on a virtual clock, with tallies, the report and its findings. A library, so
        // tests drive it directly and the command stays a thin shell around it.
        .target(
            name: "OrkestronSimulation",
            dependencies: ["OrkestronCore", "OrkestronMetrics", "OrkestronConfig", "OrkestronProtocol", "OrkestronConsole"]
        ),
        // The async socket client used by orkctl and the integration tests.
        .target(
            name: "OrkestronClient",
            dependencies: [
                "OrkestronProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ]
        ),
        // Wires the engine to the wall clock, the workers, the store and the control socket.
        .target(
            name: "OrkestronDaemon",
            dependencies: [
                "OrkestronCore", "OrkestronMetrics", "OrkestronConfig", "OrkestronStore", "OrkestronProtocol",
                "OrkestronSystemd", "CLinuxScheduling", "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .executableTarget(
            name: "orkestrond",
            dependencies: [
                "OrkestronDaemon", "OrkestronConfig", "OrkestronSystemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "orkctl",
            dependencies: [
                "OrkestronCore", "OrkestronConfig", "OrkestronClient", "OrkestronProtocol", "OrkestronConsole",
                "OrkestronSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `orkbench`: the load test (`make soak`) and the benchmarks (`make bench`) against the real release programs,
        // one subcommand per measure. NIO directly: hundreds of client connections as channel handlers on one event
        // loop cost the bench little. The peers' Python drivers live in Peers/ and are run, not compiled.
        .executableTarget(
            name: "orkbench",
            dependencies: [
                "OrkestronCore", "OrkestronMetrics", "OrkestronProtocol", "OrkestronClient", "OrkestronStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ],
            exclude: ["Peers"]
        ),
        .testTarget(name: "OrkestronCoreTests", dependencies: ["OrkestronCore"]),
        .testTarget(
            name: "OrkestronMetricsTests",
            dependencies: ["OrkestronMetrics", "OrkestronCore", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        .testTarget(name: "OrkestronConfigTests", dependencies: ["OrkestronConfig"]),
        .testTarget(name: "OrkestronStoreTests", dependencies: ["OrkestronStore"]),
        .testTarget(name: "OrkestronProtocolTests", dependencies: ["OrkestronProtocol"]),
        .testTarget(
            name: "OrkestronConsoleTests", dependencies: ["OrkestronConsole", "OrkestronProtocol", "OrkestronCore"],
            exclude: ["Fixtures", "Golden"]
        ),
        .testTarget(
            name: "OrkestronSimulationTests",
            dependencies: ["OrkestronSimulation", "OrkestronConfig", "OrkestronCore", "OrkestronProtocol"],
            exclude: ["Fixtures", "Golden"]
        ),
        // GRDB: the crash test reads the daemon's database itself, read-only, with its own SQL.
        .testTarget(
            name: "OrkestronDaemonTests",
            dependencies: [
                "OrkestronClient", "OrkestronProtocol", "OrkestronCore", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The daemon's parts in-process, on injected clocks: fast unit tests, unlike the integration tests above.
        .testTarget(
            name: "OrkestronDaemonUnitTests",
            dependencies: [
                "OrkestronDaemon", "OrkestronConfig", "OrkestronCore", "OrkestronStore", "OrkestronSystemd",
                "OrkestronMetrics", "OrkestronProtocol",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "OrkctlTests", dependencies: ["OrkestronCore", "OrkestronProtocol"]),
        // The manual pages in man/ against the programs' --help, the loader's keys and the journal MESSAGE_IDs.
        .testTarget(name: "ManPageTests", dependencies: ["OrkestronConfig", "OrkestronSystemd"]),
    ],
    swiftLanguageModes: [.v6]
)
