import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shipped units, checked by systemd's own tools: `systemd-analyze verify` must print nothing (it exits 0
/// even on unknown keys, so stderr is the verdict) and `systemd-analyze security` must rate the service's
/// exposure 2.0 or lower. Both write under /run/systemd, so they run in a private mount namespace with a tmpfs
/// there; `verify` needs ExecStart's binary, so the built daemon is mounted at /usr/sbin in that namespace.
@Suite("systemd units")
struct SystemdUnitTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let service = repository.appendingPathComponent("systemd/orkestrond.service").path
    static let socket = repository.appendingPathComponent("systemd/orkestrond.socket").path

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `script` with sh in a private mount namespace (root only); nil, with the reason printed, elsewhere.
    static func inPrivateNamespace(_ script: String) throws -> Outcome? {
        guard getuid() == 0 else {
            print("skipped: systemd-analyze needs a private mount namespace, which needs root")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--mount", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs tmpfs /run/systemd && " + script]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let outcome = Outcome(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
        if outcome.stderr.contains("unshare failed") {
            print("skipped: mount namespaces are unavailable here: \(outcome.stderr)")
            return nil
        }
        return outcome
    }

    @Test("systemd-analyze verify accepts orkestrond.service and orkestrond.socket without a word")
    func verify() throws {
        let daemon = try DaemonProcess.binaryPath()
        guard let outcome = try Self.inPrivateNamespace(
            "mount -t tmpfs tmpfs /usr/sbin && cp '\(daemon)' /usr/sbin/orkestrond && "
                + "systemd-analyze verify --man=no '\(Self.service)' '\(Self.socket)'")
        else { return }
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stderr.isEmpty, "systemd-analyze verify complained:\n\(outcome.stderr)")
    }

    @Test("systemd-analyze security rates orkestrond.service at an exposure of 2.0 or lower")
    func exposure() throws {
        guard let outcome = try Self.inPrivateNamespace(
            "systemd-analyze security --offline=true --no-pager '\(Self.service)'")
        else { return }
        let line = outcome.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        // "→ Overall exposure level for orkestrond.service: 1.7 OK 🙂"
        let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        #expect(score != nil, "no score in:\n\(outcome.stdout)\n\(outcome.stderr)")
        if let score {
            print("systemd-analyze security: orkestrond.service exposure \(score)")
            #expect(score <= 2.0, "exposure \(score):\n\(outcome.stdout)")
        }
    }
}
