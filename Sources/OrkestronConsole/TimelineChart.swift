import Foundation
import OrkestronCore
import OrkestronProtocol

/// One run as the timeline draws it: where its bar starts and ends and what it ended as.
public struct TimelineRun: Sendable, Hashable {
    public var runId: String
    public var status: String
    public var attempt: Int
    public var start: Instant
    /// Nil while the run is still active: the bar reaches the end of the window.
    public var end: Instant?

    public init(runId: String, status: String, attempt: Int, start: Instant, end: Instant?) {
        self.runId = runId
        self.status = status
        self.attempt = attempt
        self.start = start
        self.end = end
    }

    /// Reads a run of the wire protocol (`runs.list`); nil when it has no usable time.
    public init?(json run: JSONValue) {
        let time = { (key: String) in run[key]?.stringValue.flatMap(Instant.init(iso8601:)) }
        guard let start = time("startedAt") ?? time("slot") ?? time("createdAt") else { return nil }
        self.init(
            runId: run["runId"]?.stringValue ?? "?", status: run["status"]?.stringValue ?? "?",
            attempt: Int(run["attempt"]?.intValue ?? 1), start: start, end: time("finishedAt"))
    }
}

/// One row of the chart: a job and its runs.
public struct TimelineRow: Sendable, Hashable {
    public var jobId: String
    public var runs: [TimelineRun]

    public init(jobId: String, runs: [TimelineRun]) {
        self.jobId = jobId
        self.runs = runs
    }
}

/// A Gantt chart of runs, one row per job, over a window of wall time. Pure: no clock, no I/O.
///
/// Bars: `█` success, `▓` failed/timeout/interrupted, `░` cancelled, `▒` still active, `·` skipped or deferred;
/// a run's first cell is `↻` when it is a retry (attempt > 1).
public struct TimelineChart: Sendable {
    public var rows: [TimelineRow]
    public var windowStart: Instant
    public var windowEnd: Instant
    /// Total width of a terminal line, in cells.
    public var width: Int
    /// Offset of the wall time the axis labels show, in seconds east of UTC.
    public var utcOffsetSeconds: Int

    public init(rows: [TimelineRow], windowStart: Instant, windowEnd: Instant, width: Int, utcOffsetSeconds: Int = 0) {
        self.rows = rows
        self.windowStart = windowStart
        self.windowEnd = max(windowEnd, windowStart + 1)
        self.width = width
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    // MARK: Status styles

    enum Style: Int, Comparable {
        case skipped, success, cancelled, active, failed

        init(status: String) {
            switch status {
            case "SUCCESS": self = .success
            case "FAILED", "TIMEOUT", "INTERRUPTED": self = .failed
            case "CANCELLED": self = .cancelled
            case "SKIPPED", "DEFERRED": self = .skipped
            default: self = .active
            }
        }

        static func < (lhs: Style, rhs: Style) -> Bool { lhs.rawValue < rhs.rawValue }

        var glyph: Character {
            switch self {
            case .success: return "█"
            case .failed: return "▓"
            case .cancelled: return "░"
            case .active: return "▒"
            case .skipped: return "·"
            }
        }

        var ansi: String {
            switch self {
            case .success: return "32"
            case .failed: return "31"
            case .cancelled, .skipped: return "33"
            case .active: return "36"
            }
        }

        var fill: String {
            switch self {
            case .success: return "#2e9d4a"
            case .failed: return "#d23c3c"
            case .cancelled: return "#d9a21b"
            case .active: return "#2b8fd6"
            case .skipped: return "#9a9a9a"
            }
        }
    }

    static let retryGlyph: Character = "↻"

    // MARK: Geometry

    var labelWidth: Int {
        min(max(rows.map(\.jobId.count).max() ?? 0, 3), 24)
    }

    /// Cells between the `│` and the end of the line.
    var barWidth: Int { max(width - labelWidth - 2, 10) }

    var spanMs: Int64 { windowEnd.milliseconds(since: windowStart) }

    /// The cell an instant falls in, clamped to the window.
    func column(_ instant: Instant) -> Int {
        let offset = min(max(instant.milliseconds(since: windowStart), 0), spanMs)
        return min(Int(offset * Int64(barWidth) / spanMs), barWidth - 1)
    }

    func visible(_ run: TimelineRun) -> Bool {
        run.start <= windowEnd && (run.end ?? windowEnd) >= windowStart
    }

    /// Cells of one row: a style per cell (nil = empty) and whether the cell holds a retry marker.
    func cells(_ row: TimelineRow) -> [(Style, Bool)?] {
        var cells = [(Style, Bool)?](repeating: nil, count: barWidth)
        for run in row.runs.sorted(by: { $0.start < $1.start }) where visible(run) {
            let style = Style(status: run.status)
            let end = style == .skipped ? run.start : (run.end ?? (style == .active ? windowEnd : run.start))
            let first = column(run.start)
            let last = max(column(end > run.start ? end - 1 : end), first)
            for index in first...last {
                if let existing = cells[index], existing.0 > style { continue }
                cells[index] = (style, index == first && run.attempt > 1)
            }
        }
        return cells
    }

    // MARK: Terminal

    /// The chart as terminal lines: a row per job, the axis, its labels and a legend.
    public func terminalLines(color: Bool) -> [String] {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines: [String] = []
        for row in rows {
            var line = pad(row.jobId, labelWidth) + " │"
            var current: Style?
            var buffer = ""
            func flush() {
                if let style = current, !buffer.isEmpty { line += paint(buffer, style.ansi) } else { line += buffer }
                buffer = ""
            }
            for cell in cells(row) {
                let style = cell?.0
                if style != current {
                    flush()
                    current = style
                }
                buffer.append(cell.map { $0.1 ? Self.retryGlyph : $0.0.glyph } ?? " ")
            }
            flush()
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        let tickCells = tickColumns()
        var axis = Array(repeating: Character("─"), count: barWidth)
        for tick in tickCells { axis[tick] = "┴" }
        lines.append(String(repeating: " ", count: labelWidth) + " └" + String(axis))
        var labels = Array(repeating: Character(" "), count: barWidth + 8)
        var free = 0
        for at in ticks() {
            let tick = column(at)
            let text = Array(label(at: at))
            let start = min(max(tick - text.count / 2, free), labels.count - text.count)
            guard start >= free else { continue }
            for (offset, character) in text.enumerated() { labels[start + offset] = character }
            free = start + text.count + 1
        }
        var labelLine = String(repeating: " ", count: labelWidth + 2) + String(labels)
        while labelLine.hasSuffix(" ") { labelLine.removeLast() }
        lines.append(labelLine)
        let legend: [(String, String, String)] = [
            (String(Style.success.glyph), Style.success.ansi, "success"),
            (String(Style.failed.glyph), Style.failed.ansi, "failed"),
            (String(Style.cancelled.glyph), Style.cancelled.ansi, "cancelled"),
            (String(Style.skipped.glyph), Style.skipped.ansi, "skipped"),
            (String(Style.active.glyph), Style.active.ansi, "running"),
            (String(Self.retryGlyph), "0", "retry"),
        ]
        lines.append(
            String(repeating: " ", count: labelWidth + 2)
                + legend.map { (color && $0.1 != "0" ? paint($0.0, $0.1) : $0.0) + " " + $0.2 }.joined(separator: "  "))
        return lines
    }

    /// Steps the axis may use, in milliseconds: round numbers of seconds, minutes, hours and days.
    static let steps: [Int64] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
    ].map { $0 * 1000 }

    /// The axis step: the smallest round step giving at most one tick per 12 cells (and at most 6 ticks).
    var step: Int64 {
        let maxTicks = Int64(max(min(barWidth / 12, 6), 2))
        return Self.steps.first { spanMs / $0 <= maxTicks } ?? (spanMs / maxTicks / 86_400_000 + 1) * 86_400_000
    }

    /// Instants on round multiples of the step (in the chart's wall time) inside the window.
    func ticks() -> [Instant] {
        let offsetMs = Int64(utcOffsetSeconds) * 1000
        let local = windowStart.millisecondsSinceEpoch + offsetMs
        var tick = local % step == 0 ? local : local - ((local % step) + step) % step + step
        var result: [Instant] = []
        while tick - offsetMs <= windowEnd.millisecondsSinceEpoch {
            result.append(Instant(millisecondsSinceEpoch: tick - offsetMs))
            tick += step
        }
        return result
    }

    func tickColumns() -> [Int] { ticks().map(column) }

    /// `HH:MM`, or `HH:MM:SS` when the axis steps by seconds, in the chart's offset.
    func label(at instant: Instant) -> String {
        let seconds = instant.millisecondsSinceEpoch / 1000 + Int64(utcOffsetSeconds)
        let ofDay = ((seconds % 86_400) + 86_400) % 86_400
        let two = { (value: Int64) in value < 10 ? "0\(value)" : "\(value)" }
        let text = two(ofDay / 3600) + ":" + two(ofDay % 3600 / 60)
        return step < 60_000 ? text + ":" + two(ofDay % 60) : text
    }

    func pad(_ text: String, _ width: Int) -> String {
        text.count > width
            ? String(text.prefix(width - 1)) + "…" : text + String(repeating: " ", count: width - text.count)
    }

    // MARK: SVG

    /// The same picture as a standalone SVG document: a `<text class="job">` per row, a `<rect class="run">` per
    /// visible run, the time axis and a legend.
    public func svg() -> String {
        let labelPx = 10 + labelWidth * 8
        let plotPx = 800
        let rowPx = 22
        let top = 10
        let height = top + rows.count * rowPx + 56
        let widthPx = labelPx + plotPx + 20
        func x(_ instant: Instant) -> Double {
            let offset = min(max(instant.milliseconds(since: windowStart), 0), spanMs)
            return Double(labelPx) + Double(offset) * Double(plotPx) / Double(spanMs)
        }
        func number(_ value: Double) -> String {
            let rounded = (value * 10).rounded() / 10
            return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        }
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(widthPx)\" height=\"\(height)\" "
                + "viewBox=\"0 0 \(widthPx) \(height)\" font-family=\"monospace\" font-size=\"12\">"
        ]
        for (index, row) in rows.enumerated() {
            let y = top + index * rowPx
            out.append(
                "<text class=\"job\" x=\"\(labelPx - 6)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(row.jobId))</text>")
            for run in row.runs.sorted(by: { $0.start < $1.start }) where visible(run) {
                let style = Style(status: run.status)
                let end = style == .skipped ? run.start : (run.end ?? (style == .active ? windowEnd : run.start))
                let left = x(run.start)
                let barWidth = max(x(end) - left, 2)
                var rect = "<rect class=\"run\" x=\"\(number(left))\" y=\"\(y + 3)\" width=\"\(number(barWidth))\" height=\"16\" "
                    + "fill=\"\(style.fill)\""
                if run.attempt > 1 { rect += " stroke=\"#000\" stroke-dasharray=\"2 2\"" }
                rect += "><title>\(escape(run.runId)) \(escape(run.status)) attempt \(run.attempt)</title></rect>"
                out.append(rect)
            }
        }
        let axisY = top + rows.count * rowPx + 4
        out.append("<line x1=\"\(labelPx)\" y1=\"\(axisY)\" x2=\"\(labelPx + plotPx)\" y2=\"\(axisY)\" stroke=\"#444\"/>")
        for at in ticks() {
            let tickX = number(x(at))
            out.append("<line x1=\"\(tickX)\" y1=\"\(axisY)\" x2=\"\(tickX)\" y2=\"\(axisY + 5)\" stroke=\"#444\"/>")
            out.append(
                "<text class=\"tick\" x=\"\(tickX)\" y=\"\(axisY + 18)\" text-anchor=\"middle\">\(label(at: at))</text>")
        }
        // The legend: a swatch per final status, and the dashed outline of a run that needed retries.
        let legendY = axisY + 40
        var legendX = labelPx
        let entries: [(Style?, String)] = [
            (.success, "success"), (.failed, "failed"), (.cancelled, "cancelled"), (.skipped, "skipped"),
            (.active, "running"), (nil, "retried"),
        ]
        for (style, name) in entries {
            let swatch = style.map { "fill=\"\($0.fill)\"" } ?? "fill=\"#fff\" stroke=\"#000\" stroke-dasharray=\"2 2\""
            out.append("<rect class=\"swatch\" x=\"\(legendX)\" y=\"\(legendY - 10)\" width=\"12\" height=\"12\" \(swatch)/>")
            out.append("<text class=\"legend\" x=\"\(legendX + 16)\" y=\"\(legendY)\">\(name)</text>")
            legendX += 24 + name.count * 8
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
