import OrkestronCore

extension Configuration {
    /// A one-screen summary for `--check-config` and `orkctl check-config`: what was read and what it amounts to.
    ///
    /// ```
    /// files        /etc/orkestron/orkestron.toml
    /// jobs         5: 1 sync, 1 metrics, 1 batch, 1 cleanup, 1 untyped
    /// schedules    2 interval, 2 cron, 1 manual
    /// workloads    2 command, 3 simulated
    /// quiet hours  night 22:00-06:00 mon-fri Europe/Berlin, types batch, cleanup, defer
    /// limits       8 global; sync 4
    /// seed         42
    /// ```
    /// Warnings are not part of it; callers print them as diagnostics.
    public func summary() -> String {
        var rows: [(label: String, lines: [String])] = []
        rows.append(("files", files.isEmpty ? ["none"] : files))
        rows.append(("jobs", [jobCounts]))
        rows.append(("schedules", [scheduleCounts]))
        rows.append(("workloads", [workloadCounts]))
        let windows = engineSettings.quietHours.map(Self.describe)
        rows.append(("quiet hours", windows.isEmpty ? ["none"] : windows))
        rows.append(("limits", [limits]))
        rows.append(("seed", [daemon.seed.map(String.init) ?? "random (chosen at start)"]))

        let width = rows.map(\.label.count).max() ?? 0
        var lines: [String] = []
        for row in rows {
            for (index, line) in row.lines.enumerated() {
                let label = index == 0 ? row.label : ""
                lines.append(label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + line)
            }
        }
        return lines.joined(separator: "\n")
    }

    private var jobCounts: String {
        guard !jobs.isEmpty else { return "0" }
        var order: [String?] = []
        var counts: [String?: Int] = [:]
        for job in jobs {
            if counts[job.type] == nil { order.append(job.type) }
            counts[job.type, default: 0] += 1
        }
        let parts = order.map { type in "\(counts[type] ?? 0) \(type ?? "untyped")" }
        return "\(jobs.count): " + parts.joined(separator: ", ")
    }

    private var scheduleCounts: String {
        var interval = 0
        var cron = 0
        var manual = 0
        for job in jobs {
            switch job.schedule {
            case .interval: interval += 1
            case .cron: cron += 1
            case .manual: manual += 1
            }
        }
        return "\(interval) interval, \(cron) cron, \(manual) manual"
    }

    private var workloadCounts: String {
        var commands = 0
        var simulated = 0
        for job in jobs {
            switch job.workload {
            case .process: commands += 1
            case .simulated: simulated += 1
            }
        }
        return "\(commands) command, \(simulated) simulated"
    }

    private var limits: String {
        let types = engineSettings.typeConcurrency.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let global = "\(engineSettings.maxConcurrency) global"
        return types.isEmpty ? global : global + "; " + types.joined(separator: ", ")
    }

    static func describe(_ window: QuietHours) -> String {
        var parts = ["\(window.name) \(clock(window.fromSecond))-\(clock(window.toSecond))"]
        parts.append(window.days.map(describe(days:)) ?? "every day")
        parts[parts.count - 1] += " \(window.timeZone)"
        switch (window.types, window.jobs) {
        case (nil, nil): parts.append("all jobs")
        case (let types?, nil): parts.append("types " + types.sorted().joined(separator: ", "))
        case (nil, let jobs?): parts.append("jobs " + jobs.sorted().joined(separator: ", "))
        case (let types?, let jobs?):
            parts.append("types " + types.sorted().joined(separator: ", "))
            parts.append("jobs " + jobs.sorted().joined(separator: ", "))
        }
        parts.append(window.action.rawValue)
        return parts[0] + " " + parts[1...].joined(separator: ", ")
    }

    static func clock(_ seconds: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text = "\(two(seconds / 3_600)):\(two(seconds / 60 % 60))"
        return seconds % 60 == 0 ? text : text + ":\(two(seconds % 60))"
    }

    /// Monday-first, with runs of three or more days collapsed: `mon-fri`, `sat,sun`.
    static func describe(days: Set<Int>) -> String {
        let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        // Monday is position 0, Sunday 6.
        func position(_ day: Int) -> Int { (day + 6) % 7 }
        let week = days.filter { (0...6).contains($0) }.sorted { position($0) < position($1) }
        var runs: [[Int]] = []
        for day in week {
            if let last = runs.last?.last, position(last) + 1 == position(day) {
                runs[runs.count - 1].append(day)
            } else {
                runs.append([day])
            }
        }
        return runs.map { run in
            run.count >= 3 ? "\(names[run[0]])-\(names[run[run.count - 1]])" : run.map { names[$0] }.joined(separator: ",")
        }.joined(separator: ",")
    }
}
