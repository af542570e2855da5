import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronConsole
import OrkestronProtocol

/// `orkctl timeline [JOB…] [--last 15m] [--svg FILE]`: a Gantt chart of recent runs, one row per job.
struct TimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline", abstract: "A Gantt chart of recent runs per job.")

    @Argument(help: "Only these jobs (default: every job).")
    var jobs: [String] = []

    @Option(name: .long, help: "How far back, e.g. 90s, 15m, 1h (default 15m).")
    var last: String = "15m"

    @Option(name: .long, help: "Also write the chart as an SVG file.")
    var svg: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard let ms = DurationText.parse(last), ms > 0 else {
            throw ValidationError("--last must be a duration like 90s, 15m or 1h.")
        }
    }

    func run() async throws {
        let end = WallClockNow.instant
        let start = end - (DurationText.parse(last) ?? 900_000)
        let jobs = self.jobs
        let fetched: [(String, [JSONValue])] = try await global.withClient { client in
            var ids = jobs
            if ids.isEmpty {
                ids = (try await client.call("jobs.list").arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            }
            var result: [(String, [JSONValue])] = []
            for id in ids {
                let runs = try await client.call(
                    "runs.list", .object([("job", .string(id)), ("since", .string(start.iso8601UTC)), ("limit", .int(10_000))]))
                result.append((id, runs.arrayValue ?? []))
            }
            return result
        }
        if global.json {
            print(JSONValue.array(fetched.flatMap(\.1)).serialized)
            return
        }
        let rows = fetched.map { TimelineRow(jobId: $0.0, runs: $0.1.compactMap(TimelineRun.init(json:))) }
        let width = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 100
        let chart = TimelineChart(
            rows: rows, windowStart: start, windowEnd: end, width: width,
            utcOffsetSeconds: TimeZone.current.secondsFromGMT())
        if rows.isEmpty {
            print("no jobs")
        } else {
            for line in chart.terminalLines(color: global.colors.enabled) { print(line) }
        }
        if let svg {
            do {
                try chart.svg().write(toFile: svg, atomically: true, encoding: .utf8)
            } catch {
                GlobalOptions.fail("cannot write \(svg): \(error.localizedDescription)", code: 1)
            }
        }
    }
}
