// swift-tools-version: 6.2
import PackageDescription

// libFuzzer targets for the three parsers that read untrusted text: a control-socket line, a configuration file
// and a cron expression. A package of its own so that the root's `swift build` never sees the sanitizer flags; it
// reaches the product modules through the root's library products, so every target fuzzes the shipped code.
//
// Built and run by `make fuzz` (the flags are FUZZ_BUILD_FLAGS in the Makefile: libFuzzer and AddressSanitizer),
// each binary then starting from its committed seed corpus in Corpus/<target>/.
let package = Package(
    name: "orkestron-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency's identity is its folder's name, which differs between clones.
        .package(name: "orkestron", path: "../.."),
    ],
    targets: [
        // One line of the control socket → a request, a batch or the error the daemon answers with.
        .executableTarget(
            name: "FuzzProtocol",
            dependencies: [.product(name: "OrkestronProtocol", package: "orkestron")],
            swiftSettings: fuzzerSettings
        ),
        // A configuration text (drop-ins split at form feeds) → a configuration or its diagnostics.
        .executableTarget(
            name: "FuzzConfig",
            dependencies: [.product(name: "OrkestronConfig", package: "orkestron")],
            swiftSettings: fuzzerSettings
        ),
        // A cron expression (with an optional zone and start line) → an expression and its next fire times, or an
        // error.
        .executableTarget(
            name: "FuzzCron",
            dependencies: [.product(name: "OrkestronCore", package: "orkestron")],
            swiftSettings: fuzzerSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer supplies `main`; the targets only define `LLVMFuzzerTestOneInput`, so no file is top-level code.
var fuzzerSettings: [SwiftSetting] { [.unsafeFlags(["-parse-as-library"])] }
