/// One parsed field of a cron expression, as bitsets the schedule can test without allocating.
///
/// Every plain value (numbers, names, ranges, steps) becomes a bit in `values`; the calendar-relative items of the
/// day fields (`L`, `LW`, `nW`, `nL`, `n#k`) cannot be a fixed set of days, so they are kept as their own small
/// bitsets and turned into days per month by `dayMask(firstWeekday:daysInMonth:)`.
struct CronField: Hashable, Sendable {
    /// Which of the six positions a field is in; decides its range, its names and which special items it takes.
    enum Kind: Hashable, Sendable {
        case second, minute, hour, dayOfMonth, month, dayOfWeek

        /// The name used in error messages.
        var name: String {
            switch self {
            case .second: "second"
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        /// The values a number may take; day-of-week accepts 7 as a second Sunday.
        var bounds: ClosedRange<Int> {
            switch self {
            case .second, .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// What `*` stands for: day-of-week `*` is 0-6, so `*/2` means Sun, Tue, Thu, Sat (7 would repeat Sunday).
        var wildcardRange: ClosedRange<Int> {
            switch self {
            case .dayOfWeek: 0...6
            case .second, .minute, .hour, .dayOfMonth, .month: bounds
            }
        }

        /// Three-letter names, upper case, in value order from `bounds.lowerBound`; empty when names are not allowed.
        var names: [String] {
            switch self {
            case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
            case .second, .minute, .hour, .dayOfMonth: []
            }
        }
    }

    let kind: Kind
    /// Bit `n` set when value `n` matches. In day-of-week, 7 is folded into 0.
    private(set) var values: UInt64 = 0
    /// The text starts with `*` or is `?`: the Vixie rule then makes the day fields combine with AND, not OR.
    let startsWithWildcard: Bool
    /// Day-of-month `L`: the last day of the month.
    private(set) var lastDay = false
    /// Day-of-month `LW`: the last Monday-to-Friday day of the month.
    private(set) var lastWeekday = false
    /// Day-of-month `nW`: bit `n` set for the weekday nearest to day `n`, within the same month (Quartz).
    private(set) var nearestWeekdays: UInt64 = 0
    /// Day-of-week `nL`: bit `n` (0 = Sunday) set for the last such weekday of the month.
    private(set) var lastWeekdaysOfMonth: UInt64 = 0
    /// Day-of-week `n#k`: bit `(k - 1) * 7 + n` set for the k-th weekday `n` of the month.
    private(set) var nthWeekdays: UInt64 = 0
    /// A day field that accepts every day of every month (`*`, `?`, `1-31`, `0-6`), so masks can skip it.
    private(set) var matchesEveryDay = false

    /// Parses one field's text (already split from the expression on whitespace).
    init(parsing text: String, kind: Kind) throws(CronError) {
        self.kind = kind
        let upper = text.uppercased()
        startsWithWildcard = upper.hasPrefix("*") || upper == "?"
        if upper == "?" {
            guard kind == .dayOfMonth || kind == .dayOfWeek else {
                throw CronError(
                    field: kind.name, token: text,
                    message: "\"?\" is only allowed in the day-of-month and day-of-week fields")
            }
            values = Self.bits(kind.wildcardRange)
            matchesEveryDay = true
            return
        }
        for item in upper.split(separator: ",", omittingEmptySubsequences: false) {
            try parseItem(String(item), fieldText: text)
        }
        if kind == .dayOfWeek, values & (1 << 7) != 0 {
            values = values & ~(1 << 7) | 1
        }
        switch kind {
        case .dayOfMonth: matchesEveryDay = values == Self.bits(1...31) && !lastDay && !lastWeekday && nearestWeekdays == 0
        case .dayOfWeek: matchesEveryDay = values == Self.bits(0...6)
        case .second, .minute, .hour, .month: matchesEveryDay = false
        }
    }

    /// The smallest matching value `>= value`, or nil. `value` may be past the field's range.
    func next(atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let remaining = values & (~0 << UInt64(value))
        return remaining == 0 ? nil : remaining.trailingZeroBitCount
    }

    /// The days of a month this field matches, as bit `d` for day `d`, given the weekday of the 1st (0 = Sunday)
    /// and the month's length. Only meaningful for the two day fields.
    func dayMask(firstWeekday: Int, daysInMonth: Int) -> UInt64 {
        let validDays: UInt64 = (1 << UInt64(daysInMonth + 1)) - 2
        // The common `*` needs no calendar work; this is on the hot path of every cron evaluation.
        if matchesEveryDay { return validDays }
        switch kind {
        case .dayOfMonth:
            var mask = values
            if lastDay { mask |= 1 << UInt64(daysInMonth) }
            let lastDayWeekday = (firstWeekday + daysInMonth - 1) % 7
            if lastWeekday {
                // Back off a Saturday by one day and a Sunday by two.
                let day = daysInMonth - (lastDayWeekday == 6 ? 1 : lastDayWeekday == 0 ? 2 : 0)
                mask |= 1 << UInt64(day)
            }
            // `nW` for a day the month does not have (31W in April, 30W in February) matches nothing that month,
            // as in Quartz: moving it to the last weekday would invent a day the user never named.
            var nearest = nearestWeekdays & validDays
            while nearest != 0 {
                let day = nearest.trailingZeroBitCount
                nearest &= nearest - 1
                mask |= 1 << UInt64(Self.nearestWeekday(to: day, firstWeekday: firstWeekday, daysInMonth: daysInMonth))
            }
            return mask & validDays
        case .dayOfWeek:
            // Days 1, 8, 15, 22, 29 as a pattern, shifted to the first day of each matching weekday.
            let everySeventhDay: UInt64 = 1 | 1 << 7 | 1 << 14 | 1 << 21 | 1 << 28
            var mask: UInt64 = 0
            var weekdays = values
            while weekdays != 0 {
                let weekday = weekdays.trailingZeroBitCount
                weekdays &= weekdays - 1
                mask |= everySeventhDay << UInt64(1 + (weekday - firstWeekday + 7) % 7)
            }
            var lasts = lastWeekdaysOfMonth
            if lasts != 0 {
                let lastDayWeekday = (firstWeekday + daysInMonth - 1) % 7
                while lasts != 0 {
                    let weekday = lasts.trailingZeroBitCount
                    lasts &= lasts - 1
                    mask |= 1 << UInt64(daysInMonth - (lastDayWeekday - weekday + 7) % 7)
                }
            }
            var nths = nthWeekdays
            while nths != 0 {
                let bit = nths.trailingZeroBitCount
                nths &= nths - 1
                let day = 1 + (bit % 7 - firstWeekday + 7) % 7 + 7 * (bit / 7)
                if day <= daysInMonth { mask |= 1 << UInt64(day) }
            }
            return mask & validDays
        case .second, .minute, .hour, .month:
            return values & validDays
        }
    }

    /// Quartz's `nW`: the Monday-to-Friday day nearest to `day`, never leaving the month (so `1W` on a Saturday is
    /// Monday the 3rd, and the last day on a Sunday goes back to Friday).
    static func nearestWeekday(to day: Int, firstWeekday: Int, daysInMonth: Int) -> Int {
        switch (firstWeekday + day - 1) % 7 {
        case 6: day == 1 ? day + 2 : day - 1
        case 0: day == daysInMonth ? day - 2 : day + 1
        default: day
        }
    }

    // MARK: - Parsing

    private mutating func parseItem(_ item: String, fieldText: String) throws(CronError) {
        guard !item.isEmpty else { throw error(fieldText, "empty item in list \"\(fieldText)\"") }
        switch kind {
        case .dayOfMonth:
            if item == "L" {
                lastDay = true
                return
            }
            if item == "LW" {
                lastWeekday = true
                return
            }
            if item.count > 1, item.hasSuffix("W") {
                let day = try value(String(item.dropLast()), item: item)
                nearestWeekdays |= 1 << UInt64(day)
                return
            }
        case .dayOfWeek:
            if let hash = item.firstIndex(of: "#") {
                let weekdayText = String(item[..<hash])
                let ordinalText = String(item[item.index(after: hash)...])
                guard !weekdayText.isEmpty else { throw error(item, "missing weekday before \"#\" in \"\(item)\"") }
                guard !ordinalText.isEmpty else { throw error(item, "missing ordinal after \"#\" in \"\(item)\"") }
                let weekday = try value(weekdayText, item: item) % 7
                guard let ordinal = Self.number(ordinalText), (1...5).contains(ordinal) else {
                    throw error(item, "ordinal \"\(ordinalText)\" in \"\(item)\" must be 1 to 5")
                }
                nthWeekdays |= 1 << UInt64((ordinal - 1) * 7 + weekday)
                return
            }
            if item == "L" || item == "LW" {
                throw error(item, "\"\(item)\" belongs in the day-of-month field; here write a weekday before \"L\", like \"5L\"")
            }
            if item.count > 1, item.hasSuffix("L") {
                let weekday = try value(String(item.dropLast()), item: item) % 7
                lastWeekdaysOfMonth |= 1 << UInt64(weekday)
                return
            }
        case .second, .minute, .hour, .month:
            break
        }
        if item == "?" {
            // A lone "?" was handled before; inside a list it would be ambiguous.
            let message = kind == .dayOfMonth || kind == .dayOfWeek
                ? "\"?\" must be the whole field, found it in \"\(fieldText)\""
                : "\"?\" is only allowed in the day-of-month and day-of-week fields"
            throw error(item, message)
        }
        try parseRange(item)
    }

    /// `*`, `*/n`, `a`, `a-b`, `a-b/n` or `a/n` (= `a-MAX/n`).
    private mutating func parseRange(_ item: String) throws(CronError) {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw error(item, "more than one \"/\" in \"\(item)\"") }
        var step = 1
        if parts.count == 2 {
            let stepText = String(parts[1])
            guard let parsed = Self.number(stepText) else {
                throw error(item, "step \"\(stepText)\" in \"\(item)\" is not a number")
            }
            guard parsed >= 1 else { throw error(item, "step \(parsed) in \"\(item)\" must be at least 1") }
            step = parsed
        }
        let rangeText = String(parts[0])
        let range: ClosedRange<Int>
        if rangeText == "*" {
            range = kind.wildcardRange
        } else {
            guard !rangeText.isEmpty else { throw error(item, "missing start before \"/\" in \"\(item)\"") }
            let ends = rangeText.split(separator: "-", omittingEmptySubsequences: false)
            switch ends.count {
            case 1:
                let start = try value(rangeText, item: item)
                range = start...(parts.count == 2 ? kind.bounds.upperBound : start)
            case 2:
                guard !ends[0].isEmpty, !ends[1].isEmpty else {
                    throw error(item, "range \"\(item)\" needs a start and an end")
                }
                let start = try value(String(ends[0]), item: item)
                let end = try value(String(ends[1]), item: item)
                guard start <= end else {
                    throw error(item, "range \"\(rangeText)\" is reversed (\(ends[0]) is after \(ends[1]))")
                }
                range = start...end
            default:
                throw error(item, "\"\(item)\" has more than one \"-\"")
            }
        }
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            values |= 1 << UInt64(value)
        }
    }

    /// A number within the field's bounds or (in the month and day-of-week fields) a three-letter name.
    private func value(_ text: String, item: String) throws(CronError) -> Int {
        if let number = Self.number(text) {
            guard kind.bounds.contains(number) else {
                throw error(item, "\(text) is out of range \(kind.bounds.lowerBound)-\(kind.bounds.upperBound)")
            }
            return number
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isLetter }) else {
            throw error(item, "\"\(text)\" is not a valid value")
        }
        let names = kind.names
        guard !names.isEmpty else { throw error(item, "\"\(text)\" is not a number (names are only for months and weekdays)") }
        guard let index = names.firstIndex(of: text) else { throw error(item, "unknown name \"\(text)\"") }
        return kind.bounds.lowerBound + index
    }

    private func error(_ token: String, _ message: String) -> CronError {
        CronError(field: kind.name, token: token, message: message)
    }

    /// A plain unsigned decimal (no sign, no spaces); one too long for `Int` reads as `Int.max`, out of any range.
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int(text) ?? .max
    }

    private static func bits(_ range: ClosedRange<Int>) -> UInt64 {
        range.reduce(0) { $0 | 1 << UInt64($1) }
    }
}
