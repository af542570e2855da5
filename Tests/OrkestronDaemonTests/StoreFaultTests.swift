import Foundation
import OrkestronClient
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon with a missing, unwritable, read-only or full state directory and a damaged database: a
/// clear error at start naming the path and the problem, with exit status 1, and never a silent reset; a write
/// failure while running stops the daemon loudly without losing anything it acknowledged.
///
/// The read-only and full file systems are mounted in a private mount namespace of the daemon (`unshare -m`),
/// which needs root, as CI has; elsewhere those tests are skipped and say why.
@Suite("faults: state directory, store and disk")
struct StoreFaultTests {
    static let isRoot = getuid() == 0

    static let config = """
        [daemon]
        seed = 1
        timezone = "UTC"

        [[job]]
        id = "alpha"
        duration = "20ms"
        """

    static func databasePath(_ daemon: DaemonProcess) -> String { daemon.stateDirectory + "/orkestron.db" }

    /// A launcher that runs the daemon in a private mount namespace after `setup` (a shell snippet; `$0` is the
    /// state directory).
    static func inMountNamespace(_ setup: String) -> [String] {
        ["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", setup + " && exec \"$@\"", "@DIR@/state"]
    }

    /// Runs `python3 -c script args…` (for what the daemon's own tools cannot do to a database) and fails on error.
    static func python(_ script: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("python3 exited \(process.terminationStatus)") }
    }

    /// Runs the daemon once so the state holds a real database with history, stops it (exit 0), and folds the
    /// WAL into the database file, as a clean shutdown of SQLite leaves it.
    static func makeHistory(_ daemon: DaemonProcess) async throws {
        try await daemon.start()
        let run = try await daemon.call("jobs.run", .object(["id": "alpha", "wait": true]))
        #expect(run["status"] == "SUCCESS")
        #expect(try await daemon.stop() == 0)
        try python(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); "
                + "c.execute('PRAGMA journal_mode=DELETE'); c.close()",
            [databasePath(daemon)])
    }

    // MARK: State directory

    /// SPEC §8: a missing state directory is created with mode 0750, even under a umask that would narrow it.
    @Test("a missing state directory is created with mode 0750")
    func missingStateDirectory() async throws {
        try await DaemonProcess.prepared(
            config: Self.config, launcher: ["/bin/sh", "-c", "umask 077 && exec \"$@\"", "sh"]
        ) { daemon in
            #expect(!FileManager.default.fileExists(atPath: daemon.stateDirectory))
            try await daemon.start()
            var info = stat()
            #expect(stat(daemon.stateDirectory, &info) == 0)
            #expect(info.st_mode & 0o7777 == 0o750, "mode 0\(String(info.st_mode & 0o7777, radix: 8))")
            #expect(FileManager.default.fileExists(atPath: Self.databasePath(daemon)))
        }
    }

    /// A state directory the daemon's user may not write: exit 1 naming the folder, its owner and mode.
    @Test(
        "an unwritable state directory is an error at start naming it, its owner and mode",
        .enabled(if: isRoot, "needs root: runs the daemon as nobody"))
    func unwritableStateDirectory() async throws {
        try await DaemonProcess.prepared(
            config: Self.config, launcher: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        ) { daemon in
            // nobody may read the configuration and enter the folders, not write the state.
            chmod(daemon.directory, 0o755)
            chmod(daemon.configPath, 0o644)
            try FileManager.default.createDirectory(
                atPath: daemon.stateDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
            let status = try await daemon.startExpectingExit()
            #expect(status == 1)
            let expected = "state directory \(daemon.stateDirectory): is not writable by uid 65534 (owner uid 0, mode 0755)"
            #expect(daemon.log.contains(expected), "log:\n\(daemon.logTail())")
        }
    }

    /// A state directory on a read-only file system: exit 1 saying so, before SQLite is asked anything.
    @Test("a read-only state directory is an error at start saying it is read-only", .enabled(if: isRoot, "needs root: mounts a file system in a private mount namespace"))
    func readOnlyStateDirectory() async throws {
        try await DaemonProcess.prepared(
            config: Self.config,
            launcher: Self.inMountNamespace(
                "mkdir -p \"$0\" && mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\"")
        ) { daemon in
            let status = try await daemon.startExpectingExit()
            #expect(status == 1)
            #expect(
                daemon.log.contains("state directory \(daemon.stateDirectory): is on a read-only file system"),
                "log:\n\(daemon.logTail())")
        }
    }

    /// No room for even the new database: exit 1 naming the file and SQLite's "disk is full".
    @Test("a full disk at start is an error naming the database file", .enabled(if: isRoot, "needs root: mounts a file system in a private mount namespace"))
    func diskFullAtStart() async throws {
        try await DaemonProcess.prepared(
            config: Self.config,
            launcher: Self.inMountNamespace("mkdir -p \"$0\" && mount -t tmpfs -o size=8k,mode=0750 tmpfs \"$0\"")
        ) { daemon in
            let status = try await daemon.startExpectingExit()
            #expect(status == 1)
            let log = daemon.log
            #expect(log.contains(Self.databasePath(daemon)), "log:\n\(daemon.logTail())")
            #expect(log.contains("the file system holding it is full"), "log:\n\(daemon.logTail())")
        }
    }

    /// A private mount namespace with a small tmpfs at `path`, kept by a sleeping process that the test
    /// started, so the full file system outlives the daemon and its files can be read afterwards through
    /// `/proc/PID/root`. The daemon joins it with `nsenter`.
    final class FullDisk: Sendable {
        let holder: pid_t
        let path: String
        private let process: ProcessBox

        private final class ProcessBox: @unchecked Sendable {
            let process: Process
            init(_ process: Process) { self.process = process }
        }

        init(tmpfsAt path: String, size: String) async throws {
            self.path = path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            process.arguments = [
                "-m", "--propagation", "private", "/bin/sh", "-c",
                "mkdir -p \"$0\" && mount -t tmpfs -o size=$1,mode=0750 tmpfs \"$0\" && touch \"$0.mounted\" && exec sleep 600",
                path, size,
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            self.process = ProcessBox(process)
            holder = process.processIdentifier
            _ = try await eventually("the tmpfs to be mounted") {
                FileManager.default.fileExists(atPath: path + ".mounted") ? true : nil
            }
        }

        /// Runs the daemon inside the namespace.
        var launcher: [String] { ["/usr/bin/nsenter", "--mount=/proc/\(holder)/ns/mnt", "--"] }

        /// Where a file of the tmpfs is seen from outside the namespace.
        func outside(_ name: String) -> String { "/proc/\(holder)/root" + path + "/" + name }

        func close() {
            process.process.terminate()
            process.process.waitUntilExit()
        }
    }

    /// The disk fills while the daemon runs a busy job and a client pauses and resumes another job: the daemon
    /// logs the failed write at critical and exits 1 (for systemd to restart it); every call it acknowledged is
    /// in the database, which a daemon started on a copy of it opens and serves.
    @Test(
        "a disk that fills while running stops the daemon with status 1 and loses nothing acknowledged",
        .enabled(if: isRoot, "needs root: mounts a file system in a private mount namespace"))
    func diskFullWhileRunning() async throws {
        let config = Self.config + """

            [[job]]
            id = "busy"
            interval = "20ms"
            duration = "1ms"
            overlap = "allow"
            paused = true

            [[job]]
            id = "toggled"
            """
        // The daemon joins the namespace of the holder whose pid the body writes to holder.pid.
        let launcher = ["/bin/sh", "-c", "exec /usr/bin/nsenter --mount=/proc/$(cat \"$0\")/ns/mnt -- \"$@\"", "@DIR@/holder.pid"]
        try await DaemonProcess.prepared(config: config, launcher: launcher) { daemon in
            let disk = try await FullDisk(tmpfsAt: daemon.stateDirectory, size: "4m")
            defer { disk.close() }
            try "\(disk.holder)".write(toFile: daemon.directory + "/holder.pid", atomically: true, encoding: .utf8)
            try await daemon.start()

            // Toggle `toggled` while there is room, then start the busy job and go on until a call is refused;
            // remember the last state the daemon acknowledged.
            var acknowledgedPaused: Bool?
            // A call whose connection closed without an answer may have committed just before the daemon exited
            // (it sends the answers of earlier commits for a moment before it does): the store may hold either.
            var unanswered: Bool?
            var refusal = ""
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(90)
            var calls = 0
            toggling: while clock.now < deadline {
                let pause = acknowledgedPaused != true
                do {
                    _ = try await daemon.call(pause ? "jobs.pause" : "jobs.resume", .object(["ids": .array(["toggled"])]))
                    acknowledgedPaused = pause
                } catch let error as RPCError {
                    refusal = "\(error.code): \(error.message)"
                    #expect(error.code == -32603, "\(error)")
                    break toggling
                } catch ClientError.cannotConnect(_, let reason) {
                    refusal = reason  // the daemon had gone: the call never reached it
                    break toggling
                } catch {
                    refusal = "\(error)"  // the daemon went away while answering: the call was not acknowledged
                    unanswered = pause
                    break toggling
                }
                calls += 1
                if calls == 5 { _ = try await daemon.call("jobs.resume", .object(["ids": .array(["busy"])])) }
            }
            #expect(calls >= 5 && !refusal.isEmpty, "\(calls) calls, then: \(refusal.isEmpty ? "the disk never filled" : refusal)")
            let status = try await daemon.waitForExit(timeout: .seconds(60))
            #expect(status == 1, "exit status \(status); refusal: \(refusal); log:\n\(daemon.logTail())")
            let log = daemon.log
            #expect(log.contains("CRITICAL cannot persist events"), "log:\n\(daemon.logTail())")
            #expect(log.contains("is full") && log.contains(Self.databasePath(daemon)), "log:\n\(daemon.logTail())")
            guard let paused = acknowledgedPaused else {
                Issue.record("no call was acknowledged before the disk filled")
                return
            }

            // Restart from what the full disk holds, on a disk with room.
            try await DaemonProcess.prepared(config: config) { restarted in
                try FileManager.default.createDirectory(atPath: restarted.stateDirectory, withIntermediateDirectories: false)
                for name in ["orkestron.db", "orkestron.db-wal"] where FileManager.default.fileExists(atPath: disk.outside(name)) {
                    try FileManager.default.copyItem(atPath: disk.outside(name), toPath: restarted.stateDirectory + "/" + name)
                }
                try await restarted.start()
                let job = try await restarted.call("jobs.get", .object(["id": "toggled"]))
                let stored = job["state"]?["paused"]
                #expect(
                    stored == .bool(paused) || stored == unanswered.map(JSONValue.bool),
                    "acknowledged paused = \(paused), then \(refusal); stored: \(job.compact)")
            }
        }
    }

    // MARK: Damaged database

    enum Damage: String, CaseIterable, Sendable {
        case garbage, textFile, truncated, damagedPage, newerSchema

        var expected: String {
            switch self {
            case .garbage, .textFile: return "is not an SQLite database"
            case .truncated: return "is truncated"
            case .damagedPage: return "is corrupted"
            case .newerSchema: return "was written by a newer orkestrond"
            }
        }
    }

    /// Damages the database at `path` in the way named.
    static func damage(_ damage: Damage, at path: String) throws {
        switch damage {
        case .garbage:
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        case .textFile:
            try Self.config.write(toFile: path, atomically: false, encoding: .utf8)
        case .truncated:
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(truncate(path, off_t(size / 2)) == 0)
        case .damagedPage:
            // Every page after the first two overwritten with a pattern: the header still looks right.
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            let size = try handle.seekToEnd()
            #expect(size > 3 * 4096, "a database of \(size) bytes")
            try handle.seek(toOffset: 2 * 4096)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 2 * 4096))
            try handle.close()
        case .newerSchema:
            try python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                    + "c.execute(\"INSERT INTO grdb_migrations (identifier) VALUES ('v2: a future table')\"); "
                    + "c.execute(\"UPDATE meta SET value = '2' WHERE key = 'schema_version'\"); c.commit(); c.close()",
                [path])
        }
    }

    /// A damaged or foreign database file: exit 1 with a message naming the file and what is wrong with it,
    /// and the file is left byte for byte as it was.
    @Test("a damaged database is an error at start naming the file and the damage, and is left untouched",
        arguments: Damage.allCases)
    func damagedDatabase(_ damage: Damage) async throws {
        try await DaemonProcess.prepared(config: Self.config) { daemon in
            let path = Self.databasePath(daemon)
            switch damage {
            case .garbage, .textFile:
                try FileManager.default.createDirectory(atPath: daemon.stateDirectory, withIntermediateDirectories: false)
            case .truncated, .damagedPage, .newerSchema:
                try await Self.makeHistory(daemon)
            }
            try Self.damage(damage, at: path)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let status = try await daemon.startExpectingExit()
            #expect(status == 1)
            let log = daemon.log
            #expect(log.contains("the database \(path) \(damage.expected)"), "log:\n\(daemon.logTail())")
            #expect(log.contains("it was left untouched"), "log:\n\(daemon.logTail())")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the file was changed")
        }
    }
}
