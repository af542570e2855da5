import OrkestronCore
import OrkestronProtocol

/// Whether `orkctl top` currently hears from the daemon.
public enum DashboardConnection: Sendable, Equatable {
    case connected
    case disconnected(String)
}

/// Draws the dashboard: a pure function from a state, a size and the time to lines. Every line has at most
/// `width` columns (all characters used are one column wide); with `color`, SGR codes are added around the text
/// and not counted.
public enum DashboardRenderer {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let keysHelp = "↑/↓ select  p pause/resume  r run now  / filter  q quit"

    /// The jobs the table shows, in order, for a filter (matched case-insensitively against id and type).
    public static func visibleJobs(_ state: DashboardState, filter: String?) -> [DashboardState.Job] {
        guard let filter = filter?.lowercased(), !filter.isEmpty else { return state.jobs }
        return state.jobs.filter { $0.id.lowercased().contains(filter) || $0.type.lowercased().contains(filter) }
    }

    public static func render(
        _ state: DashboardState, width: Int, height: Int, now: Instant, selected: Int, filter: String?,
        color: Bool, connection: DashboardConnection, editingFilter: Bool = false, message: String? = nil,
        utcOffsetSeconds: Int = 0
    ) -> [String] {
        guard height > 0 else { return [] }
        let width = max(width, 0)
        var lines: [Line] = []
        lines.append(header(state, now: now))
        lines.append(banner(connection: connection, filter: filter, message: message))

        let jobs = visibleJobs(state, filter: filter)
        let fixed = 5  // header, banner, table header, tail title, footer
        let rest = max(0, height - fixed)
        let tailRows = min(state.tail.count == 0 ? 1 : state.tail.count, rest / 3)
        let tableRows = rest - tailRows

        let idWidth = min(20, max(6, jobs.map(\.id.count).max() ?? 6))
        let columns = Columns(id: idWidth)
        lines.append(Line([Segment(columns.header, .bold)]))
        let clampedSelection = jobs.isEmpty ? -1 : min(max(selected, 0), jobs.count - 1)
        let first = clampedSelection >= tableRows ? clampedSelection - tableRows + 1 : 0
        for row in 0..<tableRows {
            let index = first + row
            if index < jobs.count {
                lines.append(jobLine(jobs[index], columns: columns, now: now, selected: index == clampedSelection, width: width))
            } else if row == 0 && jobs.isEmpty {
                lines.append(Line([Segment(filter.map { "  no job matches \"\($0)\"" } ?? "  no jobs", .dim)]))
            } else {
                lines.append(Line())
            }
        }

        let hidden = state.droppedEvents > 0 ? " (\(state.droppedEvents) dropped)" : ""
        lines.append(Line([Segment("── events" + hidden + " " + String(repeating: "─", count: max(0, width)), .dim)]))
        let shown = state.tail.suffix(tailRows)
        for entry in shown { lines.append(tailLine(entry, utcOffsetSeconds: utcOffsetSeconds)) }
        for _ in shown.count..<tailRows { lines.append(Line()) }

        if editingFilter {
            lines.append(Line([Segment("filter: " + (filter ?? "") + "_", .bold), Segment("   Enter apply  Esc clear", .dim)]))
        } else {
            lines.append(Line([Segment(keysHelp, .dim)]))
        }
        // Small terminals: keep the header and footer, cut the middle.
        if lines.count > height {
            lines = Array(lines.prefix(height - 1)) + [lines[lines.count - 1]]
            if height == 1 { lines = [lines[0]] }
        }
        return lines.map { line in
            let text = line.render(width: width, color: color)
            guard !color else { return text }
            var trimmed = Substring(text)
            while trimmed.last == " " { trimmed.removeLast() }
            return String(trimmed)
        }
    }

    // MARK: Parts

    static func header(_ state: DashboardState, now: Instant) -> Line {
        var parts = ["orkestron" + (state.version.isEmpty ? "" : " " + state.version)]
        if let startedAt = state.startedAt {
            parts.append("up " + DashboardFormat.duration(ms: now.milliseconds(since: startedAt)))
        }
        parts.append("running \(state.running)/\(state.slots)")
        parts.append("queue \(state.queued)")
        parts.append((state.throughputPerMinute(now: now).map(format1) ?? "-") + " runs/min")
        parts.append("fail 15m " + (state.failureRate(now: now).map(percent) ?? "-"))
        return Line([Segment(parts.joined(separator: "  "), .bold)])
    }

    static func banner(connection: DashboardConnection, filter: String?, message: String?) -> Line {
        if case .disconnected(let reason) = connection {
            return Line([Segment("DAEMON UNREACHABLE: \(reason) — retrying every second; figures are stale", .alert)])
        }
        var segments: [Segment] = []
        if let filter, !filter.isEmpty { segments.append(Segment("filter: \(filter)  ", .yellow)) }
        if let message { segments.append(Segment(message, .plain)) }
        return Line(segments)
    }

    struct Columns {
        var id: Int
        let type = 7, state = 9, last = 12, next = 5, p50 = 5, p99 = 5, fail = 5

        var header: String {
            "  " + [pad("JOB", id), pad("TYPE", type), pad("STATE", state), pad("LAST", last), pad("NEXT", next),
                    lpad("P50", p50), lpad("P99", p99), lpad("FAIL", fail), "RECENT"].joined(separator: " ")
        }
    }

    static func jobLine(_ job: DashboardState.Job, columns c: Columns, now: Instant, selected: Bool, width: Int) -> Line {
        var line = Line()
        let base: Style = selected ? .selected : .plain
        line.add(selected ? "> " : "  ", base)
        line.add(pad(job.id, c.id) + " " + pad(job.type, c.type) + " ", base)
        line.add(pad(job.state, c.state), selected ? .selected : stateStyle(job.state))
        line.add(" ", base)
        var last = "-"
        if let status = job.lastStatus {
            last = abbreviation(status)
            if let at = job.lastFinishedAt { last += " " + DashboardFormat.short(ms: now.milliseconds(since: at)) }
        }
        line.add(pad(last, c.last), selected ? .selected : job.lastStatus.map(statusStyle) ?? .plain)
        var next = "-"
        if job.paused {
            next = "-"
        } else if let at = job.nextRun {
            let ms = at.milliseconds(since: now)
            next = ms <= 0 ? "now" : DashboardFormat.short(ms: ms)
        }
        line.add(
            " " + pad(next, c.next) + " " + lpad(job.p50Ms.map(compact) ?? "-", c.p50) + " "
                + lpad(job.p99Ms.map(compact) ?? "-", c.p99) + " " + lpad(job.failureRate.map(percent) ?? "-", c.fail)
                + " ", base)
        let used = 2 + c.id + 1 + c.type + 1 + c.state + 1 + c.last + 1 + c.next + 1 + c.p50 + 1 + c.p99 + 1 + c.fail + 1
        let room = min(DashboardState.sampleCapacity, max(0, width - used))
        for segment in sparkline(job.samples.suffix(room)) { line.segments.append(segment) }
        return line
    }

    static func sparkline(_ samples: ArraySlice<DashboardState.Sample>) -> [Segment] {
        let maximum = samples.map(\.durationMs).max() ?? 0
        return samples.map { sample in
            let level = maximum <= 0 ? 0 : Int((Double(sample.durationMs) / Double(maximum) * 7).rounded())
            return Segment(String(blocks[min(7, max(0, level))]), statusStyle(sample.status.rawValue))
        }
    }

    static func tailLine(_ entry: DashboardState.TailEntry, utcOffsetSeconds: Int) -> Line {
        let local = entry.time.millisecondsSinceEpoch / 1000 + Int64(utcOffsetSeconds)
        let seconds = ((local % 86_400) + 86_400) % 86_400
        let clock = two(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60)
        return Line([
            Segment(clock + " ", .dim), Segment(pad(entry.jobId, 16) + " ", .plain),
            Segment(pad(entry.status.rawValue, 11), statusStyle(entry.status.rawValue)),
            Segment(entry.detail.isEmpty ? "" : " " + entry.detail, .plain),
        ])
    }

    // MARK: Formatting

    static func stateStyle(_ state: String) -> Style {
        switch state {
        case "running": return .green
        case "paused", "deferred", "retrying": return .yellow
        default: return .plain
        }
    }

    static func statusStyle(_ status: String) -> Style {
        switch status {
        case "SUCCESS", "RUNNING": return .green
        case "FAILED", "TIMEOUT", "STALE": return .red
        default: return .yellow
        }
    }

    static func abbreviation(_ status: String) -> String {
        switch status {
        case "SUCCESS": return "ok"
        case "FAILED": return "FAIL"
        case "TIMEOUT": return "TIMEOUT"
        case "CANCELLED": return "cancel"
        case "SKIPPED": return "skip"
        default: return status.lowercased()
        }
    }

    static func compact(_ ms: Int64) -> String {
        if ms < 1000 { return "\(max(ms, 0))ms" }
        if ms < 10_000 { return "\(ms / 1000).\(ms % 1000 / 100)s" }
        if ms < 60_000 { return "\(ms / 1000)s" }
        return DashboardFormat.short(ms: ms)
    }

    static func percent(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded())
        return tenths >= 1000 ? "100%" : "\(tenths / 10).\(tenths % 10)%"
    }

    static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }

    static func lpad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : String(repeating: " ", count: width - text.count) + text
    }
}

// MARK: Styled lines

enum Style: Sendable {
    case plain, bold, dim, green, red, yellow, selected, alert

    var sgr: String? {
        switch self {
        case .plain: return nil
        case .bold: return "1"
        case .dim: return "2"
        case .green: return "32"
        case .red: return "31"
        case .yellow: return "33"
        case .selected: return "7"
        case .alert: return "1;97;41"
        }
    }
}

struct Segment: Sendable {
    var text: String
    var style: Style
    init(_ text: String, _ style: Style) {
        self.text = text
        self.style = style
    }
}

struct Line: Sendable {
    var segments: [Segment]
    init(_ segments: [Segment] = []) { self.segments = segments }

    mutating func add(_ text: String, _ style: Style) { segments.append(Segment(text, style)) }

    /// At most `width` characters of text; escape codes only around styled, non-empty pieces.
    func render(width: Int, color: Bool) -> String {
        var out = ""
        var room = width
        for segment in segments where room > 0 {
            let text = segment.text.count > room ? String(segment.text.prefix(room)) : segment.text
            room -= text.count
            if color, let sgr = segment.style.sgr, !text.isEmpty {
                out += "\u{1B}[" + sgr + "m" + text + "\u{1B}[0m"
            } else {
                out += text
            }
        }
        return out
    }
}
