import OrkestronConsole
import OrkestronCore

/// How numbers read in the report and the findings.
enum SimulationFormat {
    /// Like every other screen ("412ms", "2m 14s", "3h 5m"), but with a tenth of a second below 10 s, where
    /// "4s" for 4.1 s would hide the very difference a finding is about ("p99 duration 4.1s > interval 4s").
    static func duration(ms: Int64) -> String {
        guard ms >= 1_000, ms < 10_000 else { return ConsoleContext.duration(ms: ms) }
        let tenths = ms / 100
        return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
    }

    /// "18%", "0.4%", "100%": one decimal below 10 %, whole percents above; never "0%" for a non-zero share.
    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        if value > 0 && value < 0.1 { return "<0.1%" }
        if value < 10 {
            let tenths = Int((value * 10).rounded())
            return tenths % 10 == 0 ? "\(tenths / 10)%" : "\(tenths / 10).\(tenths % 10)%"
        }
        return "\(Int(value.rounded()))%"
    }

    /// "06:00", or "06:00:30" when the window has seconds.
    static func timeOfDay(seconds: Int) -> String {
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text = pad(seconds / 3_600 % 24) + ":" + pad(seconds / 60 % 60)
        return seconds % 60 == 0 ? text : text + ":" + pad(seconds % 60)
    }

    /// "interval 3s +250ms", "cron 30 3 * * * Europe/Berlin", "manual".
    static func schedule(_ schedule: Schedule) -> String {
        switch schedule {
        case .manual:
            return "manual"
        case .interval(let every, let offset):
            return "interval \(DurationText.format(every))" + (offset > 0 ? " +\(DurationText.format(offset))" : "")
        case .cron(let expression, let zone):
            return "cron \(expression.text) \(zone)"
        }
    }

    /// `p` of an unsorted sample by the nearest-rank method (the small samples of released runs).
    static func percentile(_ values: [Int64], _ p: Double) -> Int64 {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
