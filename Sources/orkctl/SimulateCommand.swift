import ArgumentParser
import Foundation
import OrkestronConfig
import OrkestronCore
import OrkestronProtocol
import OrkestronSimulation

/// `orkctl simulate [CONFIG] --duration D`: the configuration in virtual time, with the daemon's engine.
///
/// A thin shell around `Simulator`: it reads the flags and the configuration, runs the simulation and prints
/// the report. Everything that decides what the report says lives in OrkestronSimulation, where tests use it.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a configuration in virtual time and report what would happen (offline).",
        discussion: """
            The daemon's engine runs the configuration on a virtual clock: no daemon, no processes. Jobs with a \
            command are simulated with their type's duration profile. Identical inputs (configuration, --seed, \
            --start, --duration, --failure-rate) give byte-identical output. Exit 78 when the configuration is \
            invalid, 2 on a bad flag.
            """
    )

    @Argument(help: "The configuration file.")
    var path = "/etc/orkestron/orkestron.toml"

    @Option(help: ArgumentHelp("Virtual time to simulate, e.g. 24h, 7d or 90m.", valueName: "duration"))
    var duration: String

    @Option(help: ArgumentHelp("Seed of the jobs' random streams. (default: [daemon].seed, else 0)", valueName: "n"))
    var seed: UInt64?

    @Option(
        name: .customLong("failure-rate"),
        help: ArgumentHelp(
            "Failure rate of a job, or of every job of a type, e.g. sync=0.3; repeatable. A job's wins over its type's.",
            valueName: "job-or-type=r"))
    var failureRates: [String] = []

    @Option(
        help: ArgumentHelp(
            "Start of virtual time: ISO 8601 with an offset or Z, milliseconds allowed. (default: midnight UTC today)",
            valueName: "time"))
    var start: String?

    @Option(help: ArgumentHelp("Write every event to FILE as JSON lines, in the live stream's format.", valueName: "file"))
    var events: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        _ = try durationMs()
        _ = try startInstant()
        _ = try overrides()
    }

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try ConfigLoader.load(path: path)
        } catch {
            for diagnostic in error.diagnostics {
                FileHandle.standardError.write(Data("\(diagnostic.description)\n".utf8))
            }
            throw ExitCode(78)
        }
        for warning in configuration.warnings {
            FileHandle.standardError.write(Data("\(warning.description)\n".utf8))
        }
        let setup = SimulationSetup(
            configuration: configuration, start: try startInstant(), durationMs: try durationMs(), seed: seed,
            failureRates: try overrides())

        var writer: EventLineWriter?
        if let events {
            do {
                writer = try EventLineWriter(path: events)
            } catch {
                GlobalOptions.fail("--events: cannot write \(events): \(error.localizedDescription)", code: 2)
            }
        }
        let report: SimulationReport
        do {
            if let sink = writer {
                report = try Simulator.run(setup) { sink.append($0) }
                try sink.finish()
            } else {
                report = try Simulator.run(setup)
            }
        } catch let error as SimulationError {
            GlobalOptions.fail(error.description, code: 2)
        } catch {
            GlobalOptions.fail("--events: cannot write \(events ?? ""): \(error.localizedDescription)", code: 1)
        }
        print(global.json ? report.json.serialized : report.text)
    }

    // MARK: - Flags

    private func durationMs() throws -> Int64 {
        guard let ms = DurationText.parse(duration.trimmingCharacters(in: .whitespaces)), ms > 0 else {
            throw ValidationError(
                "--duration: cannot read \"\(duration)\" (expected a positive duration like \"24h\", \"90m\" or \"7d\").")
        }
        return ms
    }

    /// `--start`, read like `calendar --from`'s ISO 8601 form; without it, midnight UTC of today.
    private func startInstant() throws -> Instant {
        guard let start else {
            let now = WallClockNow.instant.millisecondsSinceEpoch
            return Instant(millisecondsSinceEpoch: now - ((now % 86_400_000) + 86_400_000) % 86_400_000)
        }
        guard let instant = Instant(iso8601: start.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError(
                "--start: cannot read \"\(start)\" (expected ISO 8601 with an offset or Z, like 2026-03-28T00:00:00Z or 2026-03-28T01:00:00.250+01:00).")
        }
        return instant
    }

    private func overrides() throws -> [FailureRateOverride] {
        var parsed: [FailureRateOverride] = []
        for text in failureRates {
            do {
                parsed.append(try FailureRateOverride(parsing: text))
            } catch {
                throw ValidationError(error.description)
            }
        }
        return parsed
    }
}
