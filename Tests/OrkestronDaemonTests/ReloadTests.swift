import Foundation
import OrkestronClient
import OrkestronProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reloading the configuration at run time: `config.reload` and SIGHUP.
@Suite("configuration reload")
struct ReloadTests {
    static func config(jobs: [String], extra: String = "") -> String {
        var text = """
            [daemon]
            seed = 1
            timezone = "UTC"

            """
        for job in jobs {
            text += """

                [[job]]
                id = "\(job)"
                duration = "50ms"
                \(extra)

                """
        }
        return text
    }

    /// A broken file: line 6 has an unknown key, line 10 a bad duration.
    static let broken = """
        [daemon]
        seed = 1

        [[job]]
        id = "alpha"
        intervall = "1s"

        [[job]]
        id = "beta"
        interval = "soon"
        """

    static func jobIds(_ daemon: DaemonProcess) async throws -> [String] {
        let list = try await daemon.call("jobs.list")
        return (list.arrayValue ?? []).compactMap { $0["id"]?.stringValue }.sorted()
    }

    /// Adding and removing a job in the file and calling `config.reload` reports the difference and applies
    /// it; a broken file then earns -32004 with every diagnostic located, and changes nothing.
    @Test("config.reload applies added and removed jobs and rejects a broken file without changes")
    func reloadDiffAndBrokenFile() async throws {
        try await DaemonProcess.with(config: Self.config(jobs: ["alpha", "beta"])) { daemon in
            try await daemon.withClient { client in
                try daemon.writeConfig(Self.config(jobs: ["alpha", "gamma"]))
                let diff = try await client.call("config.reload")
                #expect(diff["added"]?.strings == ["gamma"])
                #expect(diff["removed"]?.strings == ["beta"])
                #expect(diff["changed"]?.strings == [])
                #expect(diff["unchanged"]?.strings == ["alpha"])
                #expect(try await Self.jobIds(daemon) == ["alpha", "gamma"])
                let run = try await client.call("jobs.run", .object(["id": "gamma", "wait": true]))
                #expect(run["status"] == "SUCCESS", "the added job runs")
                let removed = await #expect(throws: RPCError.self) {
                    try await client.call("jobs.get", .object(["id": "beta"]))
                }
                #expect(removed?.code == -32001)

                let before = try await client.call("jobs.list")
                try daemon.writeConfig(Self.broken)
                let error = await #expect(throws: RPCError.self) { try await client.call("config.reload") }
                #expect(error?.code == -32004)
                #expect(error?.message.contains(daemon.configPath) == true, "\(error?.message ?? "")")
                let diagnostics = error?.data?["diagnostics"]?.arrayValue ?? []
                #expect(diagnostics.count >= 2, "\(error?.data?.compact ?? "no data")")
                for diagnostic in diagnostics {
                    #expect(diagnostic["file"]?.stringValue == daemon.configPath, "\(diagnostic.compact)")
                    #expect((diagnostic["column"]?.intValue ?? 0) >= 1, "\(diagnostic.compact)")
                    #expect(diagnostic["message"]?.stringValue?.isEmpty == false, "\(diagnostic.compact)")
                }
                let lines = Set(diagnostics.compactMap { $0["line"]?.intValue })
                #expect(lines.isSuperset(of: [6, 10]), "diagnostics point at lines \(lines.sorted())")

                let after = try await client.call("jobs.list")
                #expect(after.arrayValue?.map { $0["id"] } == before.arrayValue?.map { $0["id"] })
                #expect(after.arrayValue?.map { $0["schedule"] } == before.arrayValue?.map { $0["schedule"] })
                let again = try await client.call("jobs.run", .object(["id": "gamma", "wait": true]))
                #expect(again["status"] == "SUCCESS", "the running configuration still works")
            }
        }
    }

    /// A change to a job's definition is reported as changed.
    @Test("config.reload reports a changed job definition")
    func reloadChangedJob() async throws {
        try await DaemonProcess.with(config: Self.config(jobs: ["alpha", "beta"])) { daemon in
            try daemon.writeConfig(Self.config(jobs: ["alpha", "beta"], extra: "priority = 3"))
            let diff = try await daemon.call("config.reload")
            #expect(diff["changed"]?.strings == ["alpha", "beta"])
            #expect(diff["added"]?.strings == [])
            #expect(diff["removed"]?.strings == [])
            let job = try await daemon.call("jobs.get", .object(["id": "alpha"]))
            #expect(job["definition"]?["priority"] == .int(3))
        }
    }

    /// SIGHUP reloads a valid file; on a broken one it keeps the running configuration and logs the errors.
    @Test("SIGHUP reloads a valid change and keeps the running configuration on a broken one")
    func sighupReload() async throws {
        try await DaemonProcess.with(config: Self.config(jobs: ["alpha"])) { daemon in
            try daemon.writeConfig(Self.config(jobs: ["alpha", "hup"]))
            daemon.signal(SIGHUP)
            _ = try await eventually("jobs.list to show the job added by SIGHUP") {
                try await Self.jobIds(daemon) == ["alpha", "hup"] ? true : nil
            }

            try daemon.writeConfig(Self.broken)
            daemon.signal(SIGHUP)
            _ = try await eventually("the log to report the failed reload") {
                daemon.log.contains("configuration reload failed") ? true : nil
            }
            #expect(daemon.isRunning)
            #expect(try await Self.jobIds(daemon) == ["alpha", "hup"])
        }
    }
}
