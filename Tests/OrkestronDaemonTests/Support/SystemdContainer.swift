import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What one command printed and how it ended, readable in a failure message.
struct CommandOutcome: CustomStringConvertible, Sendable {
    var command: [String]
    var status: Int32
    var stdout: String
    var stderr: String
    var elapsed: Duration

    var succeeded: Bool { status == 0 }
    /// stdout without the surrounding white space.
    var output: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    var description: String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var text = "$ \(command.joined(separator: " "))   [exit \(status), \(String(format: "%.2f", seconds)) s]"
        if !stdout.isEmpty { text += "\n--- stdout\n" + Self.clip(stdout) }
        if !stderr.isEmpty { text += "\n--- stderr\n" + Self.clip(stderr) }
        return text
    }

    static func clip(_ text: String, limit: Int = 6_000) -> String {
        text.count > limit ? "…" + String(text.suffix(limit)) : text
    }
}

/// One journal entry from `journalctl -o json`: every field as text (arrays of values joined with newlines).
struct JournalEntry: CustomStringConvertible, Sendable {
    let fields: [String: String]

    subscript(_ name: String) -> String? { fields[name] }

    var description: String {
        fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Parses `journalctl -o json` output: one object per line.
    static func parse(_ text: String) -> [JournalEntry] {
        text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            var fields: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let text as String: fields[key] = text
                case let values as [Any]: fields[key] = values.map { "\($0)" }.joined(separator: "\n")
                default: fields[key] = "\(value)"
                }
            }
            return JournalEntry(fields: fields)
        }
    }
}

/// A throw-away container whose PID 1 is a real systemd, driven through `Tests/Harness/systemd-container.sh`.
///
/// `boot` builds the container's root (an overlay on the host's /, with the built `orkestrond` and `orkctl`, the
/// repository's units, sysusers.d, tmpfiles.d and example configuration installed) and waits until systemd's
/// startup is done; `exec` runs a command in it; `tearDown` powers it off and removes its cgroup and files. The
/// harness also tears the container down by itself if this test process dies first.
final class SystemdContainer: Sendable {
    /// The harness script, found from this file's path (the repository's Tests/Harness).
    static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Harness/systemd-container.sh").path
    }()

    /// Scratch folder of this test: the container's state (`container/`) and the commands' captured output.
    let scratch: String
    var directory: String { scratch + "/container" }
    private let counter = Mutex(0)

    private init(scratch: String) {
        self.scratch = scratch
    }

    /// Why a container cannot be booted here (not root, no namespaces, no cgroup2…), or nil when it can.
    static func unavailableReason() async throws -> String? {
        let scratch = try makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outcome = try await run(["check"], scratch: scratch, index: 0, timeout: .seconds(60))
        switch outcome.status {
        case 0: return nil
        case 77: return outcome.output
        default: throw HarnessError("systemd-container.sh check failed:\n\(outcome)")
        }
    }

    /// Boots a container with the programs from `binaries`; torn down with `tearDown()`.
    static func boot(binaries: String) async throws -> (SystemdContainer, CommandOutcome) {
        try await boot(["--bin", binaries])
    }

    /// Boots a container with nothing of Orkestron installed but the Debian package `package` in /root/ (and
    /// the image's policy-rc.d moved aside, so the package's scripts may start the service).
    static func boot(package: String) async throws -> (SystemdContainer, CommandOutcome) {
        try await boot(["--deb", package])
    }

    private static func boot(_ payload: [String]) async throws -> (SystemdContainer, CommandOutcome) {
        let container = SystemdContainer(scratch: try makeScratch())
        try FileManager.default.createDirectory(atPath: container.directory, withIntermediateDirectories: false)
        let outcome = try await container.harness(
            ["boot", container.directory] + payload + ["--owner", "\(getpid())", "--timeout", "60"],
            timeout: .seconds(90))
        guard outcome.succeeded else {
            await container.tearDown()
            throw HarnessError("the container did not boot:\n\(outcome)")
        }
        return (container, outcome)
    }

    /// Runs `command` in the container (as root, or as `user`), with `stdin` as its standard input.
    @discardableResult
    func exec(
        _ command: [String], user: String? = nil, stdin: String? = nil, timeout seconds: Int = 30
    ) async throws -> CommandOutcome {
        var arguments = ["exec", directory, "--timeout", "\(seconds)"]
        if let user { arguments += ["--user", user] }
        var outcome = try await harness(arguments + ["--"] + command, stdin: stdin, timeout: .seconds(seconds + 15))
        outcome.command = (user.map { ["[\($0)]"] } ?? []) + command
        return outcome
    }

    @discardableResult
    func exec(_ command: String..., user: String? = nil) async throws -> CommandOutcome {
        try await exec(command, user: user)
    }

    /// `systemctl show UNIT -p …` as a dictionary.
    func show(_ unit: String, _ properties: [String]) async throws -> [String: String] {
        let outcome = try await exec(["systemctl", "show", unit] + properties.flatMap { ["-p", $0] })
        guard outcome.succeeded else { throw HarnessError("systemctl show failed:\n\(outcome)") }
        var values: [String: String] = [:]
        for line in outcome.stdout.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }

    /// `journalctl -o json` with `arguments` (matches, -u…), parsed.
    func journal(_ arguments: [String]) async throws -> (entries: [JournalEntry], outcome: CommandOutcome) {
        let outcome = try await exec(["journalctl", "--no-pager", "-o", "json"] + arguments)
        return (JournalEntry.parse(outcome.stdout), outcome)
    }

    /// Powers the container off and removes its cgroup and folder; records an issue when something is left.
    func tearDown() async {
        do {
            let outcome = try await harness(["stop", directory], timeout: .seconds(60))
            if !outcome.succeeded { Issue.record("stopping the container left something behind:\n\(outcome)") }
        } catch {
            Issue.record("stopping the container failed: \(error)")
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// The tail of the container's console and boot log, for failure messages.
    var bootLog: String {
        ["boot.log", "console", "guardian.log"].compactMap { name in
            (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)).map { "--- \(name)\n\($0)" }
        }.joined(separator: "\n")
    }

    // MARK: - Running the harness

    private func harness(_ arguments: [String], stdin: String? = nil, timeout: Duration) async throws -> CommandOutcome {
        let index = counter.withLock { value in
            value += 1
            return value
        }
        return try await Self.run(arguments, stdin: stdin, scratch: scratch, index: index, timeout: timeout)
    }

    /// Runs the harness script with `arguments`; output goes to files (background processes the script starts
    /// cannot hold a pipe open); killed when `timeout` passes.
    private static func run(
        _ arguments: [String], stdin: String? = nil, scratch: String, index: Int, timeout: Duration
    ) async throws -> CommandOutcome {
        let base = scratch + "/cmd-\(index)"
        let outPath = base + ".out"
        let errPath = base + ".err"
        let inPath = base + ".in"
        for (path, contents) in [(outPath, ""), (errPath, ""), (inPath, stdin ?? "")] {
            guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) else {
                throw HarnessError("cannot create \(path)")
            }
        }
        defer {
            for path in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: path) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        process.environment = environment
        guard let output = FileHandle(forWritingAtPath: outPath), let errors = FileHandle(forWritingAtPath: errPath),
            let input = FileHandle(forReadingAtPath: inPath)
        else { throw HarnessError("cannot open the output files in \(scratch)") }
        defer {
            try? output.close()
            try? errors.close()
            try? input.close()
        }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        var timedOut = false
        while process.isRunning {
            if clock.now - start > timeout {
                timedOut = true
                process.terminate()
                let grace = clock.now + .seconds(3)
                while process.isRunning && clock.now < grace { await pause() }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            await pause()
        }
        process.waitUntilExit()
        let elapsed = clock.now - start
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        var stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        if timedOut { stderr += "\n[the test killed the harness after \(timeout)]" }
        return CommandOutcome(
            command: arguments, status: timedOut ? 124 : process.terminationStatus, stdout: stdout, stderr: stderr,
            elapsed: elapsed)
    }

    /// A short wait that stays a wait when the task is cancelled (teardown must still finish).
    private static func pause() async {
        if (try? await Task.sleep(for: .milliseconds(10))) == nil { usleep(10_000) }
    }

    private static func makeScratch() throws -> String {
        var template = Array("/tmp/orkestron-systemd-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard made != nil else { throw HarnessError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
