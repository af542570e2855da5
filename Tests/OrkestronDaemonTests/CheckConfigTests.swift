import Foundation
import Testing

/// `orkestrond --check-config`: offline validation with located diagnostics and exit status 78.
@Suite("orkestrond --check-config")
struct CheckConfigTests {
    /// Runs `orkestrond` with `arguments` to completion; returns its exit status and combined output.
    static func runDaemonTool(_ arguments: [String], in directory: String) async throws -> (status: Int32, output: String) {
        let outputPath = directory + "/check-output.txt"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else {
            throw HarnessError("cannot create \(outputPath)")
        }
        guard let output = FileHandle(forWritingAtPath: outputPath) else { throw HarnessError("cannot open \(outputPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try DaemonProcess.binaryPath())
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try? output.close()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while process.isRunning {
            guard clock.now < deadline else {
                process.terminate()
                throw HarnessError("orkestrond \(arguments.joined(separator: " ")) did not finish within 20 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text)
    }

    /// Every problem of a broken file is printed as `file:line:column: …`, and the exit status is 78.
    @Test("--check-config on a broken file prints file:line:column for each problem and exits 78")
    func brokenFile() async throws {
        let scratch = try DaemonProcess.make()
        defer { try? FileManager.default.removeItem(atPath: scratch.directory) }
        try scratch.writeConfig(ReloadTests.broken)
        let (status, output) = try await Self.runDaemonTool(["--config", scratch.configPath, "--check-config"], in: scratch.directory)
        #expect(status == 78, "output:\n\(output)")
        for line in [6, 10] {
            let pattern = "\(NSRegularExpression.escapedPattern(for: scratch.configPath)):\(line):[0-9]+: error: "
            #expect(output.range(of: pattern, options: .regularExpression) != nil, "no diagnostic for line \(line) in:\n\(output)")
        }
        #expect(output.contains("intervall"), "the unknown key is named:\n\(output)")
        #expect(!FileManager.default.fileExists(atPath: scratch.stateDirectory), "--check-config starts nothing")
    }

    /// The repository's example configuration is valid.
    @Test("--check-config on the example configuration exits 0")
    func exampleConfig() async throws {
        let example = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/orkestron.toml").path
        try #require(FileManager.default.fileExists(atPath: example), "missing \(example)")
        let scratch = try DaemonProcess.make()
        defer { try? FileManager.default.removeItem(atPath: scratch.directory) }
        let (status, output) = try await Self.runDaemonTool(["--config", example, "--check-config"], in: scratch.directory)
        #expect(status == 0, "output:\n\(output)")
        #expect(!output.contains(": error: "), "\(output)")
    }
}
