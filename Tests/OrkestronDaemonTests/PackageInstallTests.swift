import Foundation
import Testing

/// The Debian package (`make deb`) on a machine with systemd: installed with `dpkg -i` in a throw-away container
/// whose PID 1 is a real systemd (Tests/Harness/systemd-container.sh), then removed and purged. The package is
/// the one `make test` builds and names in `ORKESTRON_DEB`.
@Suite("the Debian package under systemd: dpkg -i starts it, dpkg -r stops it, dpkg -P removes its state", .serialized)
struct PackageInstallTests {
    @Test("dpkg -i creates the user and starts the service; orkctl works for root and the group; -r stops; -P purges")
    func installRemovePurge() async throws {
        #if os(Linux)
        guard let package = ProcessInfo.processInfo.environment["ORKESTRON_DEB"], !package.isEmpty else {
            say("PackageInstallTests skipped: ORKESTRON_DEB is not set (`make test` builds the package and sets it)")
            return
        }
        #expect(FileManager.default.fileExists(atPath: package), "ORKESTRON_DEB=\(package) does not exist")
        if let reason = try await SystemdContainer.unavailableReason() {
            say("PackageInstallTests skipped: \(reason)")
            return
        }
        let (container, boot) = try await SystemdContainer.boot(package: package)
        say("package e2e: booted systemd in \(seconds(boot.elapsed))")
        let steps = PackageSteps(container: container, package: "/root/" + URL(fileURLWithPath: package).lastPathComponent)
        do {
            try await steps.run()
        } catch {
            Issue.record("\(error)\n\(await container.diagnostics())")
        }
        await container.tearDown()
        #endif
    }
}

private struct PackageSteps {
    let container: SystemdContainer
    let package: String

    static let member = "pkg_member"
    static let outsider = "pkg_outsider"

    func run() async throws {
        try await step("dpkg -i: the user, the folders, the units enabled and active") { try await install() }
        try await step("the installed programs need no library of the Swift toolchain") { try await libraries() }
        try await step("orkctl as root, as a member of the orkestron group, and as an outsider") { try await control() }
        try await step("journalctl -u orkestrond shows the start") { try await journal() }
        try await step("dpkg -r stops the service and keeps configuration and state") { try await remove() }
        try await step("dpkg -P removes the configuration and the state") { try await purge() }
    }

    func install() async throws {
        let dpkg = try await container.exec(["dpkg", "-i", package], timeout: 120)
        #expect(dpkg.succeeded, "\(dpkg)")
        guard dpkg.succeeded else { throw HarnessError("dpkg -i failed") }

        let user = try await container.exec(["getent", "passwd", "orkestron"])
        #expect(user.output.hasSuffix(":/var/lib/orkestron:/usr/sbin/nologin"), "\(user)")
        let folders = try await container.exec(["stat", "-c", "%n %U:%G %a", "/var/lib/orkestron", "/run/orkestron"])
        #expect(
            folders.output == "/var/lib/orkestron orkestron:orkestron 750\n/run/orkestron orkestron:orkestron 755",
            "\(folders)")
        let conffiles = try await container.exec(["dpkg-query", "-W", "-f=${Conffiles}", "orkestron"])
        #expect(conffiles.stdout.contains("/etc/orkestron/orkestron.toml"), "\(conffiles)")

        for unit in ["orkestrond.service", "orkestrond.socket"] {
            let state = try await poll("\(unit) active after dpkg -i") {
                let state = try await container.show(unit, ["ActiveState", "UnitFileState"])
                return (state["ActiveState"] == "active" ? state : nil, "\(state)")
            }
            #expect(state["UnitFileState"] == "enabled", "\(unit): \(state)")
        }
    }

    /// `ldd` in the container (which sees the host's files, the toolchain's included): nothing from it is loaded.
    func libraries() async throws {
        for program in ["/usr/bin/orkctl", "/usr/sbin/orkestrond"] {
            let ldd = try await container.exec(["ldd", program])
            #expect(ldd.succeeded, "\(ldd)")
            let foreign = ldd.stdout.split(separator: "\n").filter { line in
                ["libswift", "Foundation", "libdispatch", "BlocksRuntime", "not found"].contains { line.contains($0) }
            }
            #expect(foreign.isEmpty, "\(program) loads toolchain libraries: \(foreign)\n\(ldd)")
            let runpath = try await container.exec(["sh", "-c", "readelf -d \(program) | grep -E 'RPATH|RUNPATH' || true"])
            #expect(runpath.output.isEmpty, "\(program) has a library search path: \(runpath.output)")
        }
    }

    func control() async throws {
        try await container.must(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                                  "--groups", "orkestron", Self.member])
        try await container.must(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", Self.outsider])

        let root = try await container.exec(["orkctl", "status"])
        #expect(root.succeeded && root.stdout.contains("orkestron"), "\(root)")
        let list = try await container.exec(["orkctl", "list"])
        #expect(list.succeeded && list.stdout.contains("metrics_collect"), "\(list)")

        let member = try await container.exec(["orkctl", "status"], user: Self.member)
        #expect(member.succeeded, "\(member)")
        let pause = try await container.exec(["orkctl", "pause", "report_batch"], user: Self.member)
        #expect(pause.succeeded, "a member of the orkestron group may pause: \(pause)")
        let resume = try await container.exec(["orkctl", "resume", "report_batch"], user: Self.member)
        #expect(resume.succeeded, "\(resume)")

        let outsider = try await container.exec(["orkctl", "status"], user: Self.outsider)
        #expect(outsider.succeeded, "anyone may read: \(outsider)")
        let refused = try await container.exec(["orkctl", "pause", "report_batch"], user: Self.outsider)
        #expect(!refused.succeeded && refused.stderr.contains("orkestron"), "an outsider may not pause: \(refused)")
    }

    func journal() async throws {
        let entries = try await poll("orkestrond's start in journalctl -u orkestrond") {
            let (entries, outcome) = try await container.journal(["-u", "orkestrond"])
            let messages = entries.compactMap { $0["MESSAGE"] }
            let started = messages.contains { $0.hasPrefix("Started") && $0.contains("Orkestron") }
            let listening = messages.contains { $0.contains("control socket listening") }
            return (started && listening ? entries : nil, "\(outcome)")
        }
        let daemon = entries.filter { $0["SYSLOG_IDENTIFIER"] == "orkestrond" }
        #expect(!daemon.isEmpty, "no entry of orkestrond itself: \(entries)")
    }

    func remove() async throws {
        let dpkg = try await container.exec(["dpkg", "-r", "orkestron"], timeout: 120)
        #expect(dpkg.succeeded, "\(dpkg)")
        let service = try await container.show("orkestrond.service", ["ActiveState", "MainPID"])
        #expect(service["ActiveState"] == "inactive" && service["MainPID"] == "0", "\(service)")
        let socket = try await container.show("orkestrond.socket", ["ActiveState"])
        #expect(socket["ActiveState"] == "inactive", "\(socket)")
        let processes = try await container.exec(["pgrep", "-x", "orkestrond"])
        #expect(processes.output.isEmpty, "orkestrond still runs after dpkg -r: \(processes)")
        let gone = try await container.exec(["test", "-e", "/usr/sbin/orkestrond"])
        #expect(!gone.succeeded, "/usr/sbin/orkestrond is still there")
        let kept = try await container.exec(["ls", "/etc/orkestron/orkestron.toml", "/var/lib/orkestron"])
        #expect(kept.succeeded, "dpkg -r removed configuration or state: \(kept)")
    }

    func purge() async throws {
        let dpkg = try await container.exec(["dpkg", "-P", "orkestron"], timeout: 120)
        #expect(dpkg.succeeded, "\(dpkg)")
        for path in ["/etc/orkestron", "/var/lib/orkestron"] {
            let exists = try await container.exec(["test", "-e", path])
            #expect(!exists.succeeded, "\(path) is still there after dpkg -P")
        }
        let status = try await container.exec(["dpkg-query", "-W", "-f=${db:Status-Status}", "orkestron"])
        #expect(status.output == "not-installed" || !status.succeeded, "\(status)")
    }

    func step(_ name: String, _ body: () async throws -> Void) async throws {
        try await runStep("package e2e", name, body)
    }
}
