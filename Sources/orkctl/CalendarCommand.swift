import ArgumentParser
import Foundation
import OrkestronCore
import OrkestronProtocol

/// `orkctl calendar EXPR`: the next fire times of a cron expression, computed offline.
///
/// Like `systemd-analyze calendar`, it lets an operator check an expression, its zone and its DST behaviour
/// before putting it in a job, with the very code the daemon schedules with.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Show the next fire times of a cron expression (offline).",
        discussion: """
            EXPR has 5 fields (minute hour day-of-month month day-of-week), 6 with a leading seconds field, or is a \
            macro such as @daily. It is evaluated in --timezone with Debian cron's DST behaviour.
            """
    )

    @Argument(help: ArgumentHelp("The cron expression; quote it, e.g. '30 2 * * *'.", valueName: "expr"))
    var expression: String

    @Option(help: ArgumentHelp("IANA time zone to evaluate in, e.g. Europe/Berlin. (default: the system's zone)", valueName: "tz"))
    var timezone: String?

    @Option(
        help: ArgumentHelp(
            "List fire times after this time: ISO 8601 with an offset or Z, or 'YYYY-MM-DD HH:MM[:SS]' read in --timezone. (default: now)",
            valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("How many fire times to list.", valueName: "n"))
    var count = 5

    /// `--json` prints one document: `{"expr", "timezone", "next": [ISO 8601 with offset…]}`; the other global
    /// options are accepted like everywhere (SPEC §8) and have nothing to change here.
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, got \(count).") }
        let zone = try resolvedZone()
        _ = try resolvedStart(in: zone)
    }

    func run() throws {
        let zone = try resolvedZone()
        let start = try resolvedStart(in: zone)
        let cron: CronExpression
        do {
            cron = try CronExpression(parsing: expression)
        } catch {
            FileHandle.standardError.write(Data("orkctl: invalid cron expression \"\(expression)\": \(error)\n".utf8))
            throw ExitCode(1)
        }
        let instants = CronSchedule(expression: cron, zone: zone).upcoming(after: start, count: count)
        print(global.json ? jsonDocument(cron, zone: zone, instants: instants) : table(cron, zone: zone, instants: instants))
    }

    // MARK: - Inputs

    private func resolvedZone() throws -> ZoneRules {
        guard let identifier = timezone else {
            // A system zone Foundation cannot name (rare in containers) falls back to UTC rather than failing.
            return ZoneRules.named(TimeZone.current.identifier) ?? .utc
        }
        guard let zone = ZoneRules.named(identifier) else {
            throw ValidationError("--timezone: unknown time zone \"\(identifier)\" (expected an IANA name such as Europe/Berlin or UTC).")
        }
        return zone
    }

    private func resolvedStart(in zone: ZoneRules) throws -> Instant {
        guard let text = from else {
            return WallClockNow.instant
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let instant = Instant(iso8601: trimmed) ?? Instant(localDateTime: trimmed, in: zone) { return instant }
        throw ValidationError(
            "--from: cannot read \"\(text)\" (expected ISO 8601 with an offset or Z, like 2026-03-28T00:00:00Z, or 'YYYY-MM-DD HH:MM[:SS]' in \(zone.identifier)).")
    }

    // MARK: - Output

    /// `{"expr": "...", "timezone": "...", "next": [...]}` with keys in that order, which `JSONEncoder` cannot promise.
    private func jsonDocument(_ cron: CronExpression, zone: ZoneRules, instants: [Instant]) -> String {
        JSONValue.object([
            ("expr", .string(cron.text)), ("timezone", .string(zone.identifier)),
            ("next", JSONValue(instants.map { $0.iso8601(in: zone) })),
        ]).serialized
    }

    /// A header, then one aligned row per fire time: number, local time with weekday and offset, and UTC.
    private func table(_ cron: CronExpression, zone: ZoneRules, instants: [Instant]) -> String {
        let shown = cron.text == cron.normalized ? cron.text : "\(cron.text) (\(cron.normalized))"
        var lines = ["\(shown) in \(zone.identifier)"]
        guard !instants.isEmpty else {
            lines.append("  never fires (no matching date in the next 400 years)")
            return lines.joined(separator: "\n")
        }
        let locals = instants.map { instant in
            let civil = zone.civil(at: instant)
            let text = instant.iso8601(in: zone)
            // "2026-03-29T03:00:00+02:00" → "Sun 2026-03-29 03:00:00 +02:00"
            let date = text.prefix(10), time = text.dropFirst(11).prefix(8), offset = text.dropFirst(19)
            return "\(Self.weekdays[civil.weekday]) \(date) \(time) \(offset)"
        }
        let width = locals.map(\.count).max() ?? 0
        let numberWidth = String(instants.count).count
        for (index, instant) in instants.enumerated() {
            let number = String(index + 1)
            let utc = instant.iso8601(in: .utc)
            let row = String(repeating: " ", count: numberWidth - number.count) + number + "  "
                + locals[index].padding(toLength: width, withPad: " ", startingAt: 0)
                + "  = " + utc.prefix(10) + " " + utc.dropFirst(11).prefix(8) + " UTC"
            lines.append("  " + row)
        }
        return lines.joined(separator: "\n")
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
}
