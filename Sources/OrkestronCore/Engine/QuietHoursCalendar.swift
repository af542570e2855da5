/// Places one quiet-hours definition on the timeline of its time zone.
struct QuietHoursCalendar {
    let window: QuietHours
    let zone: ZoneRules

    /// The end of the window occurrence that contains `instant`, or nil when none does.
    ///
    /// An occurrence starts on a day allowed by `days` at `from` (inclusive) and ends at `to` (exclusive), on
    /// the next day when the window wraps midnight. Local times that do not exist (spring forward) resolve to
    /// the end of the gap, repeated ones (fall back) to their first occurrence, like fixed-time cron jobs.
    func end(ofWindowContaining instant: Instant) -> Instant? {
        let local = zone.civil(at: instant)
        let today = local.daysSinceEpoch
        let wraps = window.toSecond <= window.fromSecond
        for startDay in [today, today - 1] {
            if !wraps && startDay != today { continue }
            if let days = window.days, !days.contains(CivilDateTime.weekday(daysSinceEpoch: startDay)) {
                continue
            }
            let start = resolve(day: startDay, second: window.fromSecond)
            let end = resolve(day: wraps ? startDay + 1 : startDay, second: window.toSecond)
            if start <= instant && instant < end { return end }
        }
        return nil
    }

    private func resolve(day: Int64, second: Int) -> Instant {
        let date = CivilDateTime.civil(fromDays: day)
        let civil = CivilDateTime(
            year: date.year, month: date.month, day: date.day, hour: second / 3600, minute: second % 3600 / 60,
            second: second % 60)
        switch zone.resolve(civil) {
        case .unique(let instant): return instant
        case .repeated(let first, _): return first
        case .skipped(let transition): return transition
        }
    }
}
