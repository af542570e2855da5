import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `orkctl top` for real: the built binary in a tmux pane against a real `orkestrond`, read back with
/// `capture-pane`, driven with `send-keys`, resized with `resize-window`. The tmux server is private (its own
/// socket and config in the test's directory), so a user's tmux is never touched.
@Suite("orkctl top in tmux")
struct TopTmuxTests {
    /// `beat` runs every 3 s (simulated, always succeeds) to give the dashboard live events; `manual` has no
    /// schedule and is the one the test runs, pauses and resumes. Not faster: `beat`'s four events per run push
    /// older lines out of the events tail, where the test looks for the manual run's lines.
    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"

        [[job]]
        id = "beat"
        type = "metrics"
        interval = "3s"
        duration = "10ms..30ms"
        failure_rate = 0.0

        [[job]]
        id = "manual"
        type = "sync"
        command = ["/bin/true"]
        """

    @Test("top shows jobs and live events, pauses with p, follows a resize and restores the terminal on q")
    func dashboard() async throws {
        let tmuxPath = try #require(
            Tmux.find(), "tmux is not installed: this test needs it (`make test` installs it; or apt-get install tmux)")
        let daemon = try ControlCommandsTests.Daemon(config: Self.config)
        defer { daemon.stop() }
        let tmux = try Tmux(executable: tmuxPath, directory: daemon.directory)
        defer { tmux.kill() }

        // The status line is off so the pane is the whole window. After top, the shell prints top's exit status
        // and whether the termios settings are back, then waits on `read`: a live pane keeps the terminal modes
        // exactly as top left them (tmux hides the cursor of a dead one), and nothing scrolls the exit line away.
        let orkctl = try ControlCommandsTests.binary("orkctl").path
        let command = [
            "S=$(stty -g)",
            "env NO_COLOR=1 TZ=UTC \(Tmux.quote(orkctl)) top --socket \(Tmux.quote(daemon.socket))",
            "R=$?",
            "if [ \"$(stty -g)\" = \"$S\" ]; then T=restored; else T=changed; fi",
            "echo TOP-EXITED $R tty=$T",
            "read line",
        ].joined(separator: "; ")
        try tmux.must(["new-session", "-d", "-s", Tmux.session, "-x", "120", "-y", "40", command])

        // 1. The jobs show once the snapshot is in.
        var screen = try await tmux.waitForScreen("the header and both jobs") { lines in
            lines.first?.hasPrefix("orkestron") == true && Screen.header(lines) != nil
                && Screen.row("beat", lines) != nil && Screen.row("manual", lines) != nil
        }
        #expect(screen.count == 40, "\(screen.joined(separator: "\n"))")
        #expect(screen.last?.contains("q quit") == true)
        #expect(!screen.contains { $0.contains("UNREACHABLE") })

        // 2. Live updates: a new `beat` event line in the tail, and a run triggered from outside shows up in
        // the job's LAST column.
        let seenBeats = Set(screen.filter(Screen.isTailLine(of: "beat")))
        screen = try await tmux.waitForScreen("a new `beat` event in the tail") { lines in
            lines.contains { Screen.isTailLine(of: "beat")($0) && !seenBeats.contains($0) }
        }
        // Without --wait, so the screen is read while the run's lines are new: on a loaded machine `run --wait`
        // can return after `beat` has pushed them out of the events tail. Either may show first; both must.
        let run = try daemon.ctl("run", "manual")
        #expect(run.status == 0, "\(run)")
        var sawTailLine = false
        screen = try await tmux.waitForScreen("the manual run in the events tail and its result in the LAST column") {
            lines in
            sawTailLine = sawTailLine || lines.contains(where: Screen.isTailLine(of: "manual"))
            return sawTailLine && Screen.cell("LAST", job: "manual", lines)?.hasPrefix("ok") == true
        }

        // 3. Select `manual` with the arrow keys, pause it with `p`: the daemon agrees and the screen shows it.
        let rows = try #require(Screen.tableRows(screen))
        let from = try #require(rows.firstIndex { $0.hasPrefix("> ") }, "no selected row")
        let to = try #require(rows.firstIndex { Screen.jobId($0) == "manual" })
        for _ in 0..<abs(to - from) { try tmux.send(to > from ? "Down" : "Up") }
        screen = try await tmux.waitForScreen("`manual` selected") { lines in
            Screen.row("manual", lines)?.hasPrefix("> ") == true
        }
        try tmux.send("p")
        try await waitFor("the daemon to report `manual` paused") { try daemon.paused("manual") == true }
        screen = try await tmux.waitForScreen("`manual` shown paused") { lines in
            Screen.cell("STATE", job: "manual", lines) == "paused" && lines.contains { $0.contains("pause manual: ok") }
        }
        #expect(Screen.row("manual", screen)?.hasPrefix("> ") == true)
        #expect(Screen.cell("STATE", job: "beat", screen) != "paused")

        // `p` again resumes it.
        try tmux.send("p")
        try await waitFor("the daemon to report `manual` resumed") { try daemon.paused("manual") == false }
        screen = try await tmux.waitForScreen("`manual` shown resumed") { lines in
            let state = Screen.cell("STATE", job: "manual", lines)
            return state != nil && state != "paused" && lines.contains { $0.contains("resume manual: ok") }
        }

        // 4. Resize to 80×24: redrawn for the new size, header on the first row, the key help on the last, the
        // events rule exactly as wide as the window (too wide, it would wrap onto the next row).
        try tmux.must(["resize-window", "-t", Tmux.session, "-x", "80", "-y", "24"])
        #expect(try tmux.display("#{pane_width}x#{pane_height}") == "80x24")
        screen = try await tmux.waitForScreen("the dashboard redrawn at 80×24") { lines in
            lines.count == 24 && lines.first?.hasPrefix("orkestron") == true && lines.last?.contains("q quit") == true
                && Screen.row("beat", lines) != nil && Screen.row("manual", lines) != nil
        }
        let tooWide = screen.filter { $0.count > 80 }
        #expect(tooWide.isEmpty, "lines wider than 80 columns: \(tooWide)")
        let rule = try #require(screen.firstIndex { $0.hasPrefix("── events") }, "\(screen.joined(separator: "\n"))")
        #expect(screen[rule].count == 80, "events rule: \(screen[rule])")
        #expect(rule + 1 < screen.count && !screen[rule + 1].hasPrefix("─"), "the events rule wrapped")

        // 5. `q` quits with status 0 and leaves the terminal as it found it: main screen, cursor visible, the
        // same termios settings (raw mode off).
        try tmux.send("q")
        screen = try await tmux.waitForScreen("the exit line") { lines in
            lines.contains { $0.hasPrefix("TOP-EXITED") }
        }
        let exit = screen.first { $0.hasPrefix("TOP-EXITED") }
        #expect(exit == "TOP-EXITED 0 tty=restored", "\(screen.joined(separator: "\n"))")
        #expect(try tmux.display("#{alternate_on}") == "0", "still on the alternate screen")
        #expect(try tmux.display("#{cursor_flag}") == "1", "cursor left hidden")
        #expect(!screen.contains { $0.hasPrefix("orkestron") }, "dashboard left on the main screen")
    }

    /// Polls `condition` every 100 ms for up to `seconds`; throws, naming `what`, when it never held.
    func waitFor(_ what: String, seconds: Double = 15, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return }
            if Date() >= deadline {
                throw Failure(description: "timed out after \(Int(seconds)) s waiting for \(what)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}

extension ControlCommandsTests.Daemon {
    /// `paused` of one job as `orkctl list --json` reports it.
    func paused(_ id: String) throws -> Bool? {
        let list = try ctl("list", "--json")
        guard list.status == 0,
            let jobs = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        else { return nil }
        return jobs.first { $0["id"] as? String == id }?["paused"] as? Bool
    }
}

extension TopTmuxTests {
    /// A private tmux server: its socket and config live in a test directory; everything runs with `-S`.
    struct Tmux {
        static let session = "top"
        let executable: URL
        let directory: String
        let socket: String
        let configPath: String

        /// tmux on the PATH or in the usual places.
        static func find() -> URL? {
            let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            return (path + ["/usr/bin", "/usr/local/bin", "/bin"]).map { $0 + "/tmux" }
                .first { FileManager.default.isExecutableFile(atPath: $0) }.map(URL.init(fileURLWithPath:))
        }

        init(executable: URL, directory: String) throws {
            self.executable = executable
            self.directory = directory
            socket = directory + "/tmux.sock"
            configPath = directory + "/tmux.conf"
            try """
                set -g default-shell /bin/sh
                set -g status off
                set -g remain-on-exit on
                set -g escape-time 0
                """.write(toFile: configPath, atomically: true, encoding: .utf8)
        }

        /// Single-quoted for /bin/sh.
        static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

        func run(_ arguments: [String]) throws -> ControlCommandsTests.Outcome {
            // A clean environment: no $TMUX of an enclosing session, a UTF-8 locale for the box-drawing characters.
            try Self.spawn(
                executable.path, ["-u", "-S", socket, "-f", configPath] + arguments,
                environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": directory],
                output: directory + "/tmux")
        }

        /// Runs a program to completion with posix_spawn rather than Foundation's Process, for three reasons:
        /// - the signal mask: the test runs on a dispatch thread that blocks most signals; a tmux server started from
        ///   it keeps that mask (SIGCHLD, SIGTERM, SIGWINCH blocked) and hands it on to the pane. Here the child
        ///   starts with an empty mask and default dispositions, as from a shell.
        /// - descriptors: the daemonizing tmux server must not keep other tests' pipes open; all above stderr close.
        /// - the end: Process learns about it from a socket the child inherits, which the daemonized server keeps, so
        ///   `waitUntilExit` never returns; `waitpid` does. Output goes to files, so nothing waits for an EOF either.
        static func spawn(_ path: String, _ arguments: [String], environment: [String: String], output: String) throws
            -> ControlCommandsTests.Outcome
        {
            let (outPath, errPath) = (output + ".out", output + ".err")
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            // glibc ≥ 2.34; not in the Swift Glibc module (a GNU extension), hence the lookup.
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
            if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
                _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            }
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var none = sigset_t()
            sigemptyset(&none)
            var all = sigset_t()
            sigfillset(&all)
            sigdelset(&all, SIGKILL)
            sigdelset(&all, SIGSTOP)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup($0.key + "=" + $0.value) } + [nil]
            defer { for pointer in argv + envp { free(pointer) } }
            var pid = pid_t()
            let error = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            guard error == 0 else {
                throw Failure(description: "cannot start \(path): \(String(cString: strerror(error)))")
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { throw Failure(description: "waitpid \(path): errno \(errno)") }
            }
            let signal = status & 0x7F
            let read = { (file: String) in (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
            return ControlCommandsTests.Outcome(
                status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, stdout: read(outPath), stderr: read(errPath))
        }

        /// Runs a tmux command that must succeed; returns its output.
        @discardableResult
        func must(_ arguments: [String]) throws -> String {
            let outcome = try run(arguments)
            guard outcome.status == 0 else {
                throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed: \(outcome)")
            }
            return outcome.stdout
        }

        func send(_ key: String) throws { try must(["send-keys", "-t", Tmux.session, key]) }

        func display(_ format: String) throws -> String {
            try must(["display-message", "-p", "-t", Tmux.session, format]).trimmingCharacters(in: .newlines)
        }

        /// The visible rows of the pane, without colors.
        func capture() throws -> [String] {
            var lines = try must(["capture-pane", "-p", "-t", Tmux.session]).components(separatedBy: "\n")
            if lines.last == "" { lines.removeLast() }
            return lines
        }

        /// Captures every 100 ms until `condition` holds (up to `seconds`); returns that screen, or throws with the
        /// last one seen.
        func waitForScreen(
            _ what: String, seconds: Double = 15, _ condition: ([String]) -> Bool
        ) async throws -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                let lines = try capture()
                if condition(lines) { return lines }
                if Date() >= deadline {
                    throw Failure(
                        description: "timed out after \(Int(seconds)) s waiting for \(what); screen:\n"
                            + lines.joined(separator: "\n"))
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        func kill() { _ = try? run(["kill-server"]) }
    }

    /// Reading the dashboard back from captured rows (no colors: NO_COLOR).
    enum Screen {
        /// The index of the table header row (`  JOB  TYPE  STATE …`).
        static func header(_ lines: [String]) -> Int? {
            lines.firstIndex { $0.hasPrefix("  JOB ") && $0.contains(" STATE ") && $0.contains(" LAST ") }
        }

        /// The job rows between the table header and the events rule.
        static func tableRows(_ lines: [String]) -> [String]? {
            guard let header = header(lines) else { return nil }
            return Array(lines[(header + 1)...].prefix { !$0.hasPrefix("── events") }).filter { jobId($0) != nil }
        }

        /// The job id of a table row: after the two-column selection marker.
        static func jobId(_ row: String) -> String? {
            guard row.hasPrefix("  ") || row.hasPrefix("> ") else { return nil }
            let id = row.dropFirst(2).prefix { $0 != " " }
            return id.isEmpty ? nil : String(id)
        }

        static func row(_ job: String, _ lines: [String]) -> String? {
            tableRows(lines)?.first { jobId($0) == job }
        }

        /// One cell of a job's row, cut at the header's column starts.
        static func cell(_ column: String, job: String, _ lines: [String]) -> String? {
            guard let header = header(lines).map({ Array(lines[$0]) }), let row = row(job, lines).map(Array.init) else {
                return nil
            }
            let starts = header.indices.filter { $0 > 0 && header[$0] != " " && header[$0 - 1] == " " }
            let named = { (start: Int) in String(header[start..<min(header.count, start + column.count)]) == column }
            guard let start = starts.first(where: named) else { return nil }
            let end = starts.first { $0 > start } ?? row.count
            guard start < row.count else { return "" }
            return String(row[start..<min(end, row.count)]).trimmingCharacters(in: .whitespaces)
        }

        /// A tail row of `job`: `HH:MM:SS <job> <STATUS> …`.
        static func isTailLine(of job: String) -> (String) -> Bool {
            { line in
                let characters = Array(line)
                guard characters.count > 9 else { return false }
                let clock = characters[0..<8].enumerated().allSatisfy { index, character in
                    index % 3 == 2 ? character == ":" : character.isNumber
                }
                return clock && characters[8] == " " && String(characters[9...]).hasPrefix(job + " ")
            }
        }
    }
}
