import Foundation
import OrkestronConfig
import OrkestronSystemd
import Testing

/// The manual pages in `man/` cover what the programs and the loader really accept, and `mandoc -Tlint` is clean.
///
/// The lists come from the sources of truth: the options from the built binaries' `--help`, the configuration
/// keys from `ConfigKeys` (the lists the loader checks against), the journal ids from `JournalMessageID`. A new
/// option, key or event kind without documentation fails here.
@Suite("manual pages")
struct ManPageTests {
    static let manDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("man")

    static let pages = ["orkctl.1", "orkestron.toml.5", "orkestrond.8"]

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    // MARK: - Helpers

    static func source(_ page: String) throws -> String {
        try String(contentsOf: manDirectory.appendingPathComponent(page), encoding: .utf8)
    }

    /// The page's mdoc source with `\-` as `-` and `\&` removed, so `Fl \-state\-dir` reads `Fl -state-dir`.
    static func normalized(_ page: String) throws -> String {
        try source(page).replacingOccurrences(of: "\\-", with: "-").replacingOccurrences(of: "\\&", with: "")
    }

    /// A built program beside this test executable (both live in the build's products directory).
    static func executable(_ name: String) throws -> URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            testBinary.deletingLastPathComponent(), Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            Issue.record("\(name) not found next to the test executable: looked at \(candidates.map(\.path))")
            throw CancellationError()
        }
        return found
    }

    static func run(_ executable: URL, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "COLUMNS": "200"]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    /// The long options a `--help` text mentions, e.g. `--state-dir`.
    static func longOptions(in help: String) -> Set<String> {
        // Lookbehind is not supported by Swift regexes: capture the character before instead.
        let pattern = /(?:^|[^A-Za-z0-9-])(--[a-z][a-z0-9-]*)/.anchorsMatchLineEndings()
        return Set(help.matches(of: pattern).map { String($0.output.1) })
    }

    /// Whether `--name` is written in mdoc as `Fl \-name` (normalized: `-name`), or literally as `--name`.
    static func mentions(_ option: String, in text: String) -> Bool {
        let tail = String(option.dropFirst())
        return text.ranges(of: tail).contains { range in
            let before = range.lowerBound == text.startIndex ? " " : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? " " : text[range.upperBound]
            let isWordCharacter: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            return (!isWordCharacter(before) || before == "-") && !isWordCharacter(after)
        }
    }

    /// The page's text from `.It Cm <command>` to the next `.It Cm`, normalized.
    static func commandItem(_ command: String, in text: String) -> String? {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0 == ".It Cm \(command)" || $0.hasPrefix(".It Cm \(command) ") })
        else { return nil }
        let end = lines[(start + 1)...].firstIndex(where: { $0.hasPrefix(".It Cm ") || $0.hasPrefix(".Sh ") })
            ?? lines.endIndex
        return lines[start..<end].joined(separator: "\n")
    }

    // MARK: - orkestrond(8)

    @Test("every long option of `orkestrond --help` is in orkestrond.8")
    func daemonOptions() throws {
        let help = try Self.run(Self.executable("orkestrond"), ["--help"])
        #expect(help.status == 0, "\(help.stderr)")
        let options = Self.longOptions(in: help.stdout)
        #expect(options.contains("--check-config"), "unexpected help text: \(help.stdout)")
        let page = try Self.normalized("orkestrond.8")
        for option in options.sorted() {
            #expect(Self.mentions(option, in: page), "orkestrond.8 does not document \(option)")
        }
    }

    @Test("every journal MESSAGE_ID is in orkestrond.8 beside its event kind")
    func messageIDs() throws {
        let page = try Self.normalized("orkestrond.8")
        let lines = page.components(separatedBy: "\n")
        for (kind, id) in JournalMessageID.byStatus.sorted(by: { $0.key < $1.key }) {
            #expect(lines.contains(".It Dv \(kind) Ta \(id)"), "orkestrond.8 lacks MESSAGE_ID \(id) of \(kind)")
        }
        #expect(lines.contains(".It process output Ta \(JournalMessageID.processOutput)"))
        for field in ["ORKESTRON_JOB", "ORKESTRON_RUN", "ORKESTRON_STATUS", "ORKESTRON_ATTEMPT", "ORKESTRON_DURATION_MS"] {
            #expect(page.contains(".It Va \(field)"), "orkestrond.8 does not describe the journal field \(field)")
        }
    }

    // MARK: - orkctl(1)

    @Test("every command of orkctl, and every long option of `orkctl <command> --help`, is in orkctl.1")
    func clientOptions() throws {
        let orkctl = try Self.executable("orkctl")
        let root = try Self.run(orkctl, ["--help"])
        #expect(root.status == 0, "\(root.stderr)")
        // "SUBCOMMANDS:" is followed by one "  name   abstract" line per command, up to a blank line.
        let lines = root.stdout.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "SUBCOMMANDS:"), "no SUBCOMMANDS in: \(root.stdout)")
        let commands = lines[(start + 1)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(commands.count >= 19, "parsed commands: \(commands)")

        let page = try Self.normalized("orkctl.1")
        let global: Set = ["--socket", "--json", "--no-color", "--help"]
        for option in Self.longOptions(in: root.stdout).union(global).union(["--generate-completion-script"]) {
            #expect(Self.mentions(option, in: page), "orkctl.1 does not document \(option)")
        }
        for command in commands {
            let help = try Self.run(orkctl, [command, "--help"])
            #expect(help.status == 0, "orkctl \(command) --help: \(help.stderr)")
            guard let item = Self.commandItem(command, in: page) else {
                Issue.record("orkctl.1 has no `.It Cm \(command)` item")
                continue
            }
            for option in Self.longOptions(in: help.stdout).sorted() {
                // Global options are described once, under "Global options"; a command's own are in its item.
                let documented = global.contains(option) ? Self.mentions(option, in: page) : Self.mentions(option, in: item)
                #expect(documented, "orkctl.1 does not document \(option) of `orkctl \(command)`")
            }
        }
    }

    // MARK: - orkestron.toml(5)

    @Test("every key the configuration loader accepts is an item of its table's subsection in orkestron.toml.5")
    func configurationKeys() throws {
        let page = try Self.normalized("orkestron.toml.5")
        var sections: [String: [String]] = [:]
        var current: String?
        for line in page.components(separatedBy: "\n") {
            if line.hasPrefix(".Ss ") || line.hasPrefix(".Sh ") {
                current = String(line.dropFirst(4))
                continue
            }
            if let current { sections[current, default: []].append(line) }
        }
        for (table, keys) in ConfigKeys.byTable {
            guard let lines = sections[table] else {
                Issue.record("orkestron.toml.5 has no subsection \".Ss \(table)\"")
                continue
            }
            for key in keys {
                let documented = lines.contains { $0 == ".It Ic \(key)" || $0.hasPrefix(".It Ic \(key) ") }
                #expect(documented, "orkestron.toml.5 does not document \(key) in \(table)")
            }
        }
    }

    // MARK: - mandoc -Tlint

    /// Messages that depend on the manuals installed on this machine, not on the page: mandoc checks every `.Xr`
    /// against the system's manual database, which knows neither these not-yet-installed pages nor, on slim
    /// images, the systemd ones.
    static func dependsOnHost(_ line: String) -> Bool {
        line.contains("STYLE: referenced manual not found") || line.contains("outdated mandoc.db lacks")
    }

    @Test("`mandoc -Tlint` prints nothing for each page", arguments: pages)
    func lint(page: String) throws {
        let candidates = ["/usr/bin/mandoc", "/usr/local/bin/mandoc"]
        guard let mandoc = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            Issue.record("mandoc is not installed (apt-get install mandoc; `make deps` installs it)")
            return
        }
        let path = Self.manDirectory.appendingPathComponent(page).path
        let outcome = try Self.run(URL(fileURLWithPath: mandoc), ["-Tlint", path])
        let messages = (outcome.stdout + outcome.stderr).components(separatedBy: "\n")
            .filter { !$0.isEmpty && !Self.dependsOnHost($0) }
        #expect(messages.isEmpty, "mandoc -Tlint \(page):\n\(messages.joined(separator: "\n"))")
    }
}
