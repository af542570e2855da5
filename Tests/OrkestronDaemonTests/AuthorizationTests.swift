import Foundation
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SPEC §5's authorization, against the daemon binary directly (no systemd; SystemdBootTests covers one refused
/// `pause` under the shipped units): real users made for the test run the built `orkctl` with `setpriv`. A user
/// outside `control_group` reads everything but every mutating method is refused with -32003 and changes
/// nothing; a member (by supplementary group) controls; the socket file carries `socket_mode` and the group.
///
/// Needs root to create users; elsewhere it says why and checks nothing. Serialized: it edits /etc/passwd.
@Suite("authorization: control_group, real users, the socket's mode and group", .serialized)
struct AuthorizationTests {
    static func config(group: String, socketMode: String, extraJob: Bool = false) -> String {
        """
        [daemon]
        seed = 1
        timezone = "UTC"
        control_group = "\(group)"
        socket_mode = "\(socketMode)"

        [[job]]
        id = "steady"
        type = "sync"
        interval = "1h"

        [[job]]
        id = "dormant"
        interval = "1h"
        paused = true

        [[job]]
        id = "long"
        type = "batch"
        duration = "120s"

        [[job]]
        id = "manual"
        command = ["/bin/true"]
        environment = { TOKEN = "s3cret-value" }
        """
            + (extraJob ? "\n\n[[job]]\nid = \"added_later\"\nduration = \"10ms\"\n" : "")
    }

    /// Read methods work for anyone; each mutating method is refused for a user outside the group, with the
    /// store unchanged, and works for a member; the socket is `srw-rw-rw-` owned by the group.
    @Test("outside control_group: reads work, all six mutating methods get -32003 and change nothing; a member controls")
    func controlGroupDecidesWhoControls() async throws {
        if let reason = TemporaryAccounts.unavailableReason() {
            say("AuthorizationTests skipped: \(reason)")
            return
        }
        try await TemporaryAccounts.with { accounts in
            try await DaemonProcess.with(config: Self.config(group: accounts.group, socketMode: "0666")) { daemon in
                let session = try Session(daemon: daemon, accounts: accounts)

                // The socket: the configured mode, and the control group as its group.
                let socket = try Self.socketFile(daemon.socketPath)
                #expect(socket.mode == 0o666 && socket.gid == accounts.groupID, "socket: mode \(String(socket.mode, radix: 8)), gid \(socket.gid); expected 666 and \(accounts.groupID)")

                // Something to read and something to cancel, started by root.
                let traced = try #require(try await daemon.call("jobs.run", .object(["id": "manual", "wait": true]))["runId"]?.stringValue)
                let longRun = try #require(try await daemon.call("jobs.run", .object(["id": "long"]))["runId"]?.stringValue)
                _ = try await eventually("the long run to be running") {
                    try await daemon.call("runs.get", .object(["runId": .string(longRun)]))["run"]?.status == "RUNNING" ? true : nil
                }

                // An outsider reads everything (and sees an environment's names, not its values).
                for read in [
                    ["status", "--json"], ["list", "--json"], ["show", "manual", "--json"], ["history", "manual", "--json"],
                    ["trace", traced, "--json"], ["explain", "steady"], ["next", "steady", "--json"], ["metrics", "--format", "json"],
                ] {
                    let outcome = try await session.orkctl(read, as: accounts.outsider)
                    #expect(outcome.succeeded && !outcome.output.isEmpty, "an outsider's `orkctl \(read.joined(separator: " "))`: \(outcome)")
                    if read.first == "show" {
                        #expect(outcome.stdout.contains("TOKEN") && !outcome.stdout.contains("s3cret-value"), "\(outcome)")
                    }
                }

                // Every mutating method is refused: exit 1, the forbidden message, and the refusal logged.
                try daemon.writeConfig(Self.config(group: accounts.group, socketMode: "0666", extraJob: true))
                let mutations: [(method: String, arguments: [String])] = [
                    ("jobs.run", ["run", "manual"]), ("jobs.pause", ["pause", "steady"]), ("jobs.resume", ["resume", "dormant"]),
                    ("runs.cancel", ["cancel", longRun]), ("config.reload", ["reload"]),
                    ("chaos.set", ["chaos", "manual", "--failure-rate", "1"]),
                ]
                #expect(Set(mutations.map(\.method)) == ProtocolInfo.mutatingMethods, "the test must try every mutating method")
                for mutation in mutations {
                    let outcome = try await session.orkctl(mutation.arguments, as: accounts.outsider)
                    #expect(
                        outcome.status == 1
                            && outcome.stderr.contains("\(mutation.method) needs root, the daemon's user or membership in the control group (group \(accounts.group))"),
                        "an outsider's `orkctl \(mutation.arguments.joined(separator: " "))`: \(outcome)")
                }
                let refusals = daemon.log.split(separator: "\n").filter {
                    $0.contains("refused mutating call") && $0.contains("uid=\(accounts.outsider.uid)")
                }
                for mutation in mutations {
                    #expect(refusals.contains { $0.contains("method=\(mutation.method)") }, "no refusal of \(mutation.method) logged: \(refusals)")
                }

                // …and changed nothing.
                try await session.expectState(
                    manualRuns: 1, steadyPaused: false, dormantPaused: true, longRun: (longRun, "RUNNING"), addedLater: false,
                    chaos: [], after: "the outsider's attempts")

                // A member of the group (a supplementary group of its user) controls.
                for mutation in mutations {
                    let outcome = try await session.orkctl(mutation.arguments, as: accounts.member)
                    #expect(outcome.succeeded, "a member's `orkctl \(mutation.arguments.joined(separator: " "))`: \(outcome)")
                }
                _ = try await eventually("the member's cancel to end the long run") {
                    try await daemon.call("runs.get", .object(["runId": .string(longRun)]))["run"]?.status == "CANCELLED" ? true : nil
                }
                try await session.expectState(
                    manualRuns: 2, steadyPaused: true, dormantPaused: false, longRun: (longRun, "CANCELLED"), addedLater: true,
                    chaos: ["manual"], after: "the member's calls")
            }
        }
    }

    /// With `socket_mode = "0660"` only the control group may even connect: an outsider's `orkctl` cannot reach
    /// the daemon (exit 3, permission denied), a member's can.
    @Test("socket_mode 0660: the socket belongs to control_group, an outsider cannot connect, a member can")
    func restrictiveSocketMode() async throws {
        if let reason = TemporaryAccounts.unavailableReason() {
            say("AuthorizationTests skipped: \(reason)")
            return
        }
        try await TemporaryAccounts.with { accounts in
            try await DaemonProcess.with(config: Self.config(group: accounts.group, socketMode: "0660")) { daemon in
                let session = try Session(daemon: daemon, accounts: accounts)
                let socket = try Self.socketFile(daemon.socketPath)
                #expect(socket.mode == 0o660 && socket.gid == accounts.groupID, "socket: mode \(String(socket.mode, radix: 8)), gid \(socket.gid); expected 660 and \(accounts.groupID)")
                let outsider = try await session.orkctl(["status"], as: accounts.outsider)
                #expect(outsider.status == 3 && outsider.stderr.contains("permission denied"), "\(outsider)")
                let member = try await session.orkctl(["status", "--json"], as: accounts.member)
                #expect(member.succeeded && member.stdout.contains("\"pid\""), "\(member)")
            }
        }
    }

    static func socketFile(_ path: String) throws -> (mode: mode_t, gid: gid_t) {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else { throw HarnessError("stat \(path): \(String(cString: strerror(errno)))") }
        return (info.st_mode & 0o7777, info.st_gid)
    }

    /// One daemon and the accounts that call it.
    struct Session {
        let daemon: DaemonProcess
        let accounts: TemporaryAccounts
        let orkctl: String

        init(daemon: DaemonProcess, accounts: TemporaryAccounts) throws {
            // The users must reach the socket (in the daemon's private folder) and the program.
            guard chmod(daemon.directory, 0o711) == 0 else {
                throw HarnessError("chmod \(daemon.directory): \(String(cString: strerror(errno)))")
            }
            self.daemon = daemon
            self.accounts = accounts
            orkctl = try TemporaryAccounts.executable(ControlBinaries.folder() + "/orkctl", reachableFrom: daemon.directory)
        }

        func orkctl(_ arguments: [String], as account: TemporaryAccounts.Account) async throws -> CommandOutcome {
            try await accounts.run([orkctl, "--socket", daemon.socketPath, "--no-color"] + arguments, as: account)
        }

        /// Checks, as root through the daemon, what the mutating methods would have changed.
        func expectState(
            manualRuns: Int, steadyPaused: Bool, dormantPaused: Bool, longRun: (id: String, status: String), addedLater: Bool,
            chaos: [String], after what: String, sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let runs = try await daemon.call("runs.list", .object(["job": "manual"])).arrayValue ?? []
            #expect(runs.count == manualRuns, "manual has \(runs.count) runs after \(what)", sourceLocation: sourceLocation)
            for (job, paused) in [("steady", steadyPaused), ("dormant", dormantPaused)] {
                let state = try await daemon.call("jobs.get", .object(["id": .string(job)]))["state"]
                #expect(state?["paused"] == .bool(paused), "\(job) after \(what): \(state?.compact ?? "none")", sourceLocation: sourceLocation)
            }
            let run = try await daemon.call("runs.get", .object(["runId": .string(longRun.id)]))["run"]
            #expect(run?.status == longRun.status, "\(longRun.id) after \(what): \(run?.compact ?? "none")", sourceLocation: sourceLocation)
            let jobs = try await daemon.call("jobs.list").arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(jobs.contains("added_later") == addedLater, "jobs after \(what): \(jobs)", sourceLocation: sourceLocation)
            let injected = try await daemon.call("daemon.status")["chaos"]?.arrayValue?.compactMap { $0["job"]?.stringValue } ?? []
            #expect(injected == chaos, "chaos after \(what): \(injected)", sourceLocation: sourceLocation)
        }
    }
}
