import Foundation

/// Helpers the end-to-end tests in a systemd container share (SystemdBootTests, PackageInstallTests).
extension SystemdContainer {
    /// A command that must succeed for the next ones to mean anything.
    func must(_ command: [String]) async throws {
        let outcome = try await exec(command)
        guard outcome.succeeded else { throw HarnessError("a required command failed:\n\(outcome)") }
    }

    /// What the unit, its socket and its journal looked like, for a failed step.
    func diagnostics() async -> String {
        var parts: [String] = []
        for command in [
            ["systemctl", "status", "--no-pager", "--lines=0", "orkestrond.service", "orkestrond.socket"],
            ["journalctl", "--no-pager", "-u", "orkestrond", "-n", "60", "-o", "short-precise"],
            ["systemctl", "--failed", "--no-legend"],
        ] {
            if let outcome = try? await exec(command) { parts.append("\(outcome)") }
        }
        parts.append(bootLog)
        return parts.joined(separator: "\n")
    }
}

/// Runs `body`, printing `label: name` and how long it took (or that it failed).
func runStep(_ label: String, _ name: String, _ body: () async throws -> Void) async throws {
    let start = ContinuousClock.now
    do {
        try await body()
    } catch {
        say("\(label): \(name): FAILED after \(seconds(ContinuousClock.now - start))")
        throw HarnessError("step “\(name)”: \(error)")
    }
    say("\(label): \(name): \(seconds(ContinuousClock.now - start))")
}

/// Polls `probe` (a value when done, and what it saw) until `timeout`; the error shows the last observation.
func poll<T>(
    _ what: String, timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(150),
    _ probe: () async throws -> (T?, String)
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        let (value, seen) = try await probe()
        if let value { return value }
        guard ContinuousClock.now < deadline else {
            throw HarnessError("timed out after \(timeout) waiting for \(what); last seen:\n\(seen)")
        }
        try await Task.sleep(for: interval)
    }
}

/// A duration as "1.23 s".
func seconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return String(format: "%.2f s", value)
}
