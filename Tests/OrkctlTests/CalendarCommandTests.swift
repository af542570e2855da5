import Foundation
import Testing

/// `orkctl calendar`, run as the built binary: output, JSON shape and exit codes.
@Suite("orkctl calendar")
struct CalendarCommandTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `orkctl` built beside this test executable (both live in the build's products directory).
    static func orkctlURL() throws -> URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            executable.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("orkctl") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            Issue.record("orkctl not found next to the test executable: looked at \(candidates.map(\.path))")
            throw CancellationError()
        }
        return found
    }

    static func orkctl(_ arguments: String...) throws -> Outcome { try run(arguments) }

    static func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = try orkctlURL()
        process.arguments = arguments
        // A fixed system zone, so the default-zone path is reproducible.
        process.environment = ["TZ": "UTC", "PATH": "/usr/bin:/bin"]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// The acceptance case: a Berlin fixed-time job across spring forward moves to 03:00 on the short day.
    @Test("--json lists the fire times with their offsets, keys in order")
    func acceptanceJSON() throws {
        let outcome = try Self.orkctl(
            "calendar", "30 2 * * *", "--timezone", "Europe/Berlin", "--from", "2026-03-28T00:00:00Z",
            "--count", "3", "--json")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout == """
                {"expr":"30 2 * * *","timezone":"Europe/Berlin","next":["2026-03-28T02:30:00+01:00",\
                "2026-03-29T03:00:00+02:00","2026-03-30T02:30:00+02:00"]}

                """)
        let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        #expect((document?["next"] as? [String])?.count == 3)
    }

    /// Human output: a header with the expression and zone, then aligned rows with weekday, offset and UTC.
    @Test("human output is a header and one aligned row per fire time")
    func humanOutput() throws {
        let outcome = try Self.orkctl(
            "calendar", "@daily", "--timezone", "Europe/Berlin", "--from", "2026-03-28 12:00", "--count", "2")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout == """
                @daily (0 0 * * *) in Europe/Berlin
                  1  Sun 2026-03-29 00:00:00 +01:00  = 2026-03-28 23:00:00 UTC
                  2  Mon 2026-03-30 00:00:00 +02:00  = 2026-03-29 22:00:00 UTC

                """)
    }

    /// SPEC §8: global options are accepted before the subcommand as well as after it.
    @Test("global options work before the subcommand")
    func globalOptionsFirst() throws {
        let outcome = try Self.orkctl(
            "--json", "calendar", "0 12 * * *", "--timezone", "UTC", "--from", "2026-01-01T00:00:00Z", "--count", "1")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("{\"expr\":\"0 12 * * *\""))
    }

    /// Without --timezone the system zone is used; --from without offset is read in that zone.
    @Test("the system zone is the default")
    func defaultZone() throws {
        let outcome = try Self.orkctl("calendar", "0 12 * * *", "--from", "2026-01-01 00:00", "--count", "1", "--json")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("\"next\":[\"2026-01-01T12:00:00+00:00\"]"))
    }

    /// An invalid expression is reported with the parser's explanation and exit status 1.
    @Test("an invalid expression exits 1 with the reason")
    func invalidExpression() throws {
        let outcome = try Self.orkctl("calendar", "0 25 * * *", "--timezone", "UTC")
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(
            outcome.stderr == "orkctl: invalid cron expression \"0 25 * * *\": hour field: 25 is out of range 0-23\n")
    }

    /// Bad flags are usage errors (exit status 2) whose message names the flag.
    @Test(
        "bad --count, --timezone or --from exits 2 naming the flag",
        arguments: [
            (["--count", "0"], "--count"),
            (["--timezone", "Mars/Olympus_Mons"], "--timezone"),
            (["--from", "yesterday"], "--from"),
        ])
    func usageErrors(flags: [String], named flag: String) throws {
        let outcome = try Self.run(["calendar", "0 2 * * *"] + flags)
        #expect(outcome.status == 2, "\(flags): status \(outcome.status), \(outcome.stderr)")
        #expect(outcome.stderr.contains(flag), "\(outcome.stderr)")
    }
}
