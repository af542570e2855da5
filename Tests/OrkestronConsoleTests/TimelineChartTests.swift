import OrkestronCore
import Testing

@testable import OrkestronConsole
import OrkestronProtocol

/// The pure renderer behind `orkctl timeline`: terminal cells, axis labels and the SVG document.
@Suite("TimelineTests")
struct TimelineTests {
    /// 08:00:00Z to 08:10:00Z, 60 bar cells (labels 6 wide + " │" + 60 = 68): one cell is ten seconds.
    static let start = Instant(iso8601: "2026-11-29T08:00:00Z")!
    static let end = start + 600_000

    static func run(_ id: String, _ status: String, attempt: Int = 1, from: Int64, to: Int64?) -> TimelineRun {
        TimelineRun(runId: id, status: status, attempt: attempt, start: start + from * 1000, end: to.map { start + $0 * 1000 })
    }

    static let chart = TimelineChart(
        rows: [
            TimelineRow(jobId: "backup", runs: [
                run("backup-1", "SUCCESS", from: 0, to: 50),
                run("backup-2", "FAILED", from: 120, to: 180),
                run("backup-3", "SUCCESS", attempt: 2, from: 200, to: 260),
            ]),
            TimelineRow(jobId: "sync", runs: [
                run("sync-1", "SKIPPED", from: 100, to: nil),
                run("sync-2", "CANCELLED", from: 300, to: 330),
                run("sync-3", "RUNNING", from: 550, to: nil),
                run("sync-0", "SUCCESS", from: -900, to: -800),  // before the window: not drawn
            ]),
        ],
        windowStart: start, windowEnd: end, width: 68)

    @Test func terminalGolden() {
        let lines = Self.chart.terminalLines(color: false)
        let golden = [
            "backup │█████       ▓▓▓▓▓▓  ↻█████",
            "sync   │          ·                   ░░░                      ▒▒▒▒▒",
            "       └┴───────────┴───────────┴───────────┴───────────┴──────────┴",
            "        08:00     08:02       08:04       08:06       08:08      08:10",
            "        █ success  ▓ failed  ░ cancelled  · skipped  ▒ running  ↻ retry",
        ]
        #expect(lines == golden, Comment(rawValue: "\n" + lines.joined(separator: "\n")))
    }

    @Test func glyphsPerStatus() {
        let lines = Self.chart.terminalLines(color: false)
        #expect(lines[0].hasPrefix("backup │█████ "))
        #expect(lines[0].contains(" ▓▓▓▓▓▓ "))
        #expect(lines[0].contains("↻"))
        #expect(lines[1].contains("·"))
        #expect(lines[1].contains("░"))
        #expect(lines[1].hasSuffix("▒"))
    }

    @Test func colorWrapsBarsInANSI() {
        let lines = Self.chart.terminalLines(color: true)
        #expect(lines[0].contains("\u{1B}[32m█████\u{1B}[0m"))
        #expect(lines[0].contains("\u{1B}[31m"))
        #expect(!Self.chart.terminalLines(color: false).joined().contains("\u{1B}"))
    }

    @Test func axisLabelsUseRoundStepsAndTheOffset() {
        let shifted = TimelineChart(
            rows: Self.chart.rows, windowStart: Self.start, windowEnd: Self.end, width: 68, utcOffsetSeconds: 3600)
        #expect(shifted.terminalLines(color: false)[3] == "        09:00     09:02       09:04       09:06       09:08      09:10")
        // Windows stepping by seconds show them.
        let short = TimelineChart(rows: Self.chart.rows, windowStart: Self.start, windowEnd: Self.start + 120_000, width: 100)
        #expect(short.terminalLines(color: false)[3].contains("08:00:30"))
        let hour = TimelineChart(rows: Self.chart.rows, windowStart: Self.start, windowEnd: Self.start + 3_600_000, width: 100)
        let labels = hour.terminalLines(color: false)[3]
        #expect(labels.contains("08:30") && labels.contains("09:00") && !labels.contains("08:30:"))
    }

    @Test func svgGolden() {
        Golden.check(Self.chart.svg(), "timeline.svg")
    }

    @Test func svgHasARectPerVisibleRunAndATextPerJob() {
        let svg = Self.chart.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<rect class=\"run\"").count - 1 == 6)
        #expect(svg.components(separatedBy: "<text class=\"job\"").count - 1 == 2)
        #expect(svg.contains(">backup</text>"))
        #expect(svg.contains("stroke-dasharray"))  // the retry
        #expect(svg.contains("<title>backup-2 FAILED attempt 1</title>"))
    }

    @Test func runFromWireJSON() throws {
        let json: JSONValue = .object([
            ("runId", .string("a-1")), ("jobId", .string("a")), ("status", .string("SKIPPED")), ("attempt", .int(1)),
            ("slot", .string("2026-11-29T08:01:00Z")), ("createdAt", .string("2026-11-29T08:00:59Z")),
            ("startedAt", .null), ("finishedAt", .null),
        ])
        let run = try #require(TimelineRun(json: json))
        #expect(run.start == Self.start + 60_000)
        #expect(run.end == nil)
        #expect(run.status == "SKIPPED")
        #expect(TimelineRun(json: .object([("runId", .string("x"))])) == nil)
    }

    @Test func longJobIdsAreTruncated() {
        let chart = TimelineChart(
            rows: [TimelineRow(jobId: String(repeating: "x", count: 40), runs: [])],
            windowStart: Self.start, windowEnd: Self.end, width: 80)
        #expect(chart.terminalLines(color: false)[0].hasPrefix(String(repeating: "x", count: 23) + "… │"))
    }
}
