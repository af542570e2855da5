// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "orkestron",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orkctl", targets: ["orkctl"]),
        .library(name: "OrkestronCore", targets: ["OrkestronCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
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
        .executableTarget(
            name: "orkctl",
            dependencies: [
                "OrkestronCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "OrkestronCoreTests", dependencies: ["OrkestronCore"]),
        .testTarget(name: "OrkestronMetricsTests", dependencies: ["OrkestronMetrics"]),
        .testTarget(name: "OrkctlTests", dependencies: ["OrkestronCore"]),
    ],
    swiftLanguageModes: [.v6]
)
