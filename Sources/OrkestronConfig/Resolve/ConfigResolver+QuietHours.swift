import OrkestronCore

extension ConfigResolver {
    static let quietHoursKeys = ConfigKeys.quietHours
    static let timeOfDayExpectation = "a time of day like \"22:00\" or \"06:30:00\""
    /// Weekday names, 0 = Sunday as cron counts; short and long forms, matched case-insensitively.
    static let weekdayNames: [(short: String, long: String)] = [
        ("sun", "sunday"), ("mon", "monday"), ("tue", "tuesday"), ("wed", "wednesday"), ("thu", "thursday"),
        ("fri", "friday"), ("sat", "saturday"),
    ]

    /// Resolves one `[[quiet_hours]]` window; runs after the jobs, so its `jobs` filter can be checked.
    mutating func resolveQuietHours(_ view: TableView) {
        checkKeys(view, allowed: Self.quietHoursKeys)
        let name = quietHoursName(view)
        let from = timeOfDay("from", in: view)
        let to = timeOfDay("to", in: view)
        let days = weekdays(in: view)
        let zone = view["timezone"] == nil ? daemon.timezone : timeZone("timezone", in: view)
        let types = strings("types", in: view)
        let jobs = strings("jobs", in: view)
        let action = choice("action", in: view, QuietHours.Action.self) ?? .defer

        let knownTypes = Set(self.jobs.compactMap(\.type)).union(typeSettings.keys)
        for type in types ?? [] where !knownTypes.contains(type.value) {
            warn(
                "no job has type \"\(type.value)\"\(Suggestions.hint(for: type.value, in: knownTypes.sorted()))",
                file: view.file, path: type.path)
        }
        let knownJobs = self.jobs.map(\.id)
        if allFilesParsed {
            for job in jobs ?? [] where jobOrigins[job.value] == nil {
                report(
                    "unknown job \"\(job.value)\" in \"jobs\"\(Suggestions.hint(for: job.value, in: knownJobs))",
                    file: view.file, path: job.path)
            }
        }
        if (types != nil || jobs != nil) && (types ?? []).isEmpty && (jobs ?? []).isEmpty {
            warn(
                "the window applies to no job: \"types\" and \"jobs\" are empty (omit both for all jobs)",
                file: view.file, path: view.path(of: view["types"] != nil ? "types" : "jobs"))
        }

        guard let name, let from, let to, let zone else { return }
        quietHours.append(
            QuietHours(
                name: name, fromSecond: from, toSecond: to, days: days, timeZone: zone,
                types: types.map { Set($0.map(\.value)) }, jobs: jobs.map { Set($0.map(\.value)) },
                action: action))
    }

    private mutating func quietHoursName(_ view: TableView) -> String? {
        guard view["name"] != nil else {
            report(
                "missing required key \"name\" in [[quiet_hours]]", file: view.file, path: view.path, anchor: .key)
            return nil
        }
        guard let name = string("name", in: view) else { return nil }
        if let first = quietHoursOrigins[name] {
            report(
                "duplicate quiet hours name \"\(name)\" (first defined at "
                    + "\(location(file: first.file, path: first.path)))",
                file: view.file, path: view.path(of: "name"), anchor: .key)
            return nil
        }
        quietHoursOrigins[name] = (view.file, view.path(of: "name"))
        return name
    }

    /// Seconds after midnight of a required `"HH:MM"` / `"HH:MM:SS"` string (or a TOML local time).
    private mutating func timeOfDay(_ key: String, in view: TableView) -> Int? {
        guard let node = view[key] else {
            report(
                "missing required key \"\(key)\" in [[quiet_hours]]", file: view.file, path: view.path, anchor: .key)
            return nil
        }
        switch node {
        case .time(let hour, let minute, let second):
            return hour * 3_600 + minute * 60 + second
        case .string(let text):
            guard let seconds = Self.parseTimeOfDay(text) else {
                report(
                    "expected \(Self.timeOfDayExpectation) for \"\(key)\", found \"\(text)\"", file: view.file,
                    path: view.path(of: key))
                return nil
            }
            return seconds
        default:
            typeMismatch(
                expected: Self.timeOfDayExpectation, key: key, found: node, file: view.file, path: view.path(of: key))
            return nil
        }
    }

    /// `H:MM`, `HH:MM` or `HH:MM:SS`, hours 0-23.
    static func parseTimeOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        let widths = parts.count == 2 ? [1...2, 2...2] : [1...2, 2...2, 2...2]
        var values: [Int] = []
        for (part, width) in zip(parts, widths) {
            guard width.contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part)
            else { return nil }
            values.append(value)
        }
        let second = values.count == 3 ? values[2] : 0
        guard values[0] < 24, values[1] < 60, second < 60 else { return nil }
        return values[0] * 3_600 + values[1] * 60 + second
    }

    private mutating func weekdays(in view: TableView) -> Set<Int>? {
        guard let names = strings("days", in: view) else { return nil }
        if names.isEmpty {
            report(
                "\"days\" must name at least one day; omit it for every day", file: view.file,
                path: view.path(of: "days"))
            return nil
        }
        var days: Set<Int> = []
        let candidates = Self.weekdayNames.flatMap { [$0.short, $0.long] }
        for name in names {
            let lowered = name.value.lowercased()
            guard let day = Self.weekdayNames.firstIndex(where: { $0.short == lowered || $0.long == lowered }) else {
                report(
                    "expected a day like \"mon\" or \"saturday\" in \"days\", found \"\(name.value)\""
                        + Suggestions.hint(for: lowered, in: candidates), file: view.file, path: name.path)
                continue
            }
            days.insert(day)
        }
        return days
    }
}
