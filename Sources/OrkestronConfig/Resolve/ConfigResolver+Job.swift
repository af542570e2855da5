import Foundation
import OrkestronCore

extension ConfigResolver {
    static let jobKeys = ConfigKeys.job
    static let scheduleKeys = ["interval", "cron", "calendar"]
    static let maxJobIdLength = 128

    /// Resolves one `[[job]]` against the merged `[defaults]`, its type and `[daemon].timezone`.
    ///
    /// A job whose id is valid and new is kept even when other keys are wrong, so references to it from other
    /// jobs and quiet hours do not add a second, misleading error.
    mutating func resolveJob(_ view: TableView) {
        checkKeys(view, allowed: Self.jobKeys)
        let id = jobID(view)
        let type = string("type", in: view)
        if let type {
            typeMentions.append((view.file, position(file: view.file, path: view.path(of: "type"), anchor: .value), type))
        }
        let (schedule, intervalMs) = schedule(of: view)
        let workload = workload(of: view, type: type)

        var policies = defaults
        if let type, let priority = typeSettings[type]?.priority { policies.priority = priority }
        readPolicies(view, into: &policies)
        checkJitter(policies.jitterMs, intervalMs: intervalMs, in: view)
        if view["catchup"] != nil && policies.missed != .runAll {
            warn(
                "catchup has no effect unless missed = \"run_all\" (this job has missed = "
                    + "\"\(policies.missed.rawValue)\")", file: view.file, path: view.path(of: "catchup"))
        }
        let paused = bool("paused", in: view) ?? false
        let onSuccess = triggers(.onSuccess, from: id, in: view)
        let onFailure = triggers(.onFailure, from: id, in: view)

        guard let id else { return }
        jobs.append(
            JobDefinition(
                id: id,
                type: type,
                schedule: schedule,
                priority: policies.priority ?? 0,
                maxConcurrency: policies.maxConcurrency,
                overlap: policies.overlap,
                timeoutMs: policies.timeoutMs,
                killGraceMs: policies.killGraceMs,
                missed: policies.missed,
                catchup: policies.catchup,
                deadlineMs: policies.deadlineMs,
                jitterMs: policies.jitterMs,
                retry: policies.retry,
                workload: workload,
                pausedInitially: paused,
                onSuccess: onSuccess,
                onFailure: onFailure,
                pauseAfterFailures: policies.pauseAfterFailures,
                maxStalenessMs: policies.maxStalenessMs))
    }

    /// The job's id when it is present, well-formed and not taken; otherwise reports why and returns nil.
    private mutating func jobID(_ view: TableView) -> String? {
        guard view["id"] != nil else {
            report("missing required key \"id\" in [[job]]", file: view.file, path: view.path, anchor: .key)
            return nil
        }
        guard let id = string("id", in: view) else { return nil }
        guard Self.isValidJobID(id) else {
            report(
                "invalid job id \"\(id)\": expected 1 to \(Self.maxJobIdLength) letters, digits, \"_\", \".\" or \"-\"",
                file: view.file, path: view.path(of: "id"))
            return nil
        }
        if let first = jobOrigins[id] {
            report(
                "duplicate job id \"\(id)\" (first defined at \(location(file: first.file, path: first.path)))",
                file: view.file, path: view.path(of: "id"), anchor: .key)
            return nil
        }
        jobOrigins[id] = (view.file, view.path(of: "id"))
        return id
    }

    static func isValidJobID(_ id: String) -> Bool {
        let scalars = id.unicodeScalars
        guard !scalars.isEmpty, scalars.count <= maxJobIdLength else { return false }
        return scalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": return true
            default: return false
            }
        }
    }

    // MARK: Schedule

    /// The schedule, and the interval when it is one (for the offset and jitter checks).
    private mutating func schedule(of view: TableView) -> (Schedule, intervalMs: Int64?) {
        let keys = orderedKeys(of: view).filter(Self.scheduleKeys.contains)
        for extra in keys.dropFirst() {
            report(
                "\"\(extra)\" cannot be combined with \"\(keys[0])\": a job has at most one of \"interval\", "
                    + "\"cron\" and \"calendar\" (none: manual runs only)",
                file: view.file, path: view.path(of: extra), anchor: .key)
        }
        var schedule = Schedule.manual
        var intervalMs: Int64?
        var zoneUsed = false
        switch keys.first {
        case "interval":
            let every = duration("interval", in: view, .positive)
            let offset = duration("offset", in: view, .nonNegative) ?? 0
            guard let every else { break }
            intervalMs = every
            if offset >= every {
                report(
                    "offset \(DurationText.format(offset)) must be smaller than the interval "
                        + DurationText.format(every), file: view.file, path: view.path(of: "offset"))
            }
            schedule = .interval(everyMs: every, offsetMs: offset)
        case "cron":
            zoneUsed = true
            let zone = view["timezone"] == nil ? daemon.timezone : timeZone("timezone", in: view)
            guard let text = string("cron", in: view) else { break }
            do {
                let expression = try CronExpression(parsing: text)
                if let zone { schedule = .cron(expression, timeZone: zone) }
            } catch {
                report("invalid cron expression: \(error)", file: view.file, path: view.path(of: "cron"))
            }
        case "calendar":
            report(
                "\"calendar\" schedules are not supported yet; use \"cron\" (for example cron = \"30 3 * * *\")",
                file: view.file, path: view.path(of: "calendar"), anchor: .key)
        default:
            break
        }
        if keys.first != "interval" && view["offset"] != nil {
            report(
                "\"offset\" applies only to interval schedules", file: view.file, path: view.path(of: "offset"),
                anchor: .key)
        }
        if !zoneUsed && view["timezone"] != nil, timeZone("timezone", in: view) != nil {
            warn("\"timezone\" has no effect without \"cron\"", file: view.file, path: view.path(of: "timezone"))
        }
        return (schedule, intervalMs)
    }

    /// SPEC §8: jitter must be smaller than the interval, or slots could overtake each other.
    private mutating func checkJitter(_ jitterMs: Int64, intervalMs: Int64?, in view: TableView) {
        guard let intervalMs, jitterMs >= intervalMs else { return }
        let jitter = DurationText.format(jitterMs)
        let interval = DurationText.format(intervalMs)
        if view["jitter"] != nil {
            report(
                "jitter \(jitter) must be smaller than the interval \(interval)", file: view.file,
                path: view.path(of: "jitter"))
        } else {
            report(
                "jitter \(jitter) from [defaults] must be smaller than the interval \(interval)", file: view.file,
                path: view.path(of: "interval"))
        }
    }

    // MARK: Workload

    private mutating func workload(of view: TableView, type: String?) -> Workload {
        let command = command(of: view)
        let workingDirectory = string("working_directory", in: view)
        let environment = environment(of: view)
        let failureRate = number("failure_rate", in: view, in: 0...1)
        let duration = durationRange(in: view)
        if command != nil || view["command"] != nil {
            for key in ["failure_rate", "duration"] where view[key] != nil {
                warn(
                    "\"\(key)\" has no effect on a job with a command (it applies to simulated workloads)",
                    file: view.file, path: view.path(of: key))
            }
        } else {
            for key in ["working_directory", "environment"] where view[key] != nil {
                warn(
                    "\"\(key)\" has no effect without \"command\" (the job is simulated)", file: view.file,
                    path: view.path(of: key))
            }
        }
        if let command {
            return .process(
                ProcessWorkload(
                    command: command, workingDirectory: workingDirectory, environment: environment ?? [:]))
        }
        var simulated = SimulatedWorkload.profile(forType: type, failureRate: failureRate ?? 0)
        if let duration {
            simulated.minDurationMs = duration.min
            simulated.maxDurationMs = duration.max
        }
        return .simulated(simulated)
    }

    private mutating func command(of view: TableView) -> [String]? {
        guard let node = view["command"] else { return nil }
        let path = view.path(of: "command")
        if case .string = node {
            report(
                "expected an array of strings for \"command\" like [\"/usr/bin/find\", \"/tmp\"], found a string "
                    + "(commands are not run through a shell)", file: view.file, path: path)
            return nil
        }
        guard let arguments = strings("command", in: view, allowEmptyElements: true) else { return nil }
        guard let program = arguments.first else {
            report("\"command\" must not be empty: name the program to run", file: view.file, path: path)
            return nil
        }
        guard !program.value.isEmpty else {
            report("the program in \"command\" must not be empty", file: view.file, path: program.path)
            return nil
        }
        return arguments.map(\.value)
    }

    private mutating func environment(of view: TableView) -> [String: String]? {
        guard let table = table("environment", in: view, context: "environment of [[job]]") else { return nil }
        var environment: [String: String] = [:]
        for name in orderedKeys(of: table) {
            if name.isEmpty || name.contains("=") {
                report(
                    "invalid environment variable name \"\(name)\": it must be non-empty and contain no \"=\"",
                    file: table.file, path: table.path(of: name), anchor: .key)
                continue
            }
            if let value = string(name, in: table, allowEmpty: true) { environment[name] = value }
        }
        return environment
    }

    static let durationRangeExpectation = "a duration like \"500ms\" or a range like \"300ms..900ms\""

    /// `"300ms..900ms"`, a single `"500ms"`, or a bare integer of milliseconds.
    private mutating func durationRange(in view: TableView) -> (min: Int64, max: Int64)? {
        guard let node = view["duration"] else { return nil }
        let path = view.path(of: "duration")
        switch node {
        case .integer(let ms):
            guard ms >= 0 else {
                report("expected a duration of at least 0 for \"duration\", found \(ms)", file: view.file, path: path)
                return nil
            }
            return (ms, ms)
        case .string(let text):
            let parts = text.components(separatedBy: "..")
            let bounds = parts.map { DurationText.parse($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count <= 2, let low = bounds.first ?? nil, let high = bounds.last ?? nil else {
                report(
                    "expected \(Self.durationRangeExpectation), found \"\(text)\"", file: view.file, path: path)
                return nil
            }
            guard low <= high else {
                report(
                    "the range \"\(text)\" ends before it starts; write the shorter duration first",
                    file: view.file, path: path)
                return nil
            }
            return (low, high)
        default:
            report(
                "expected \(Self.durationRangeExpectation), found \(node.kindDescription)", file: view.file,
                path: path)
            return nil
        }
    }

    // MARK: Triggers

    /// The targets of `on_success` / `on_failure`, remembered as edges to check once every job is known.
    private mutating func triggers(_ kind: TriggerEdge.Kind, from id: String?, in view: TableView) -> [String] {
        guard let targets = strings(kind.rawValue, in: view) else { return [] }
        var seen: Set<String> = []
        var result: [String] = []
        for target in targets {
            guard seen.insert(target.value).inserted else {
                warn(
                    "\"\(target.value)\" is listed more than once in \"\(kind.rawValue)\"", file: view.file,
                    path: target.path)
                continue
            }
            result.append(target.value)
            if let id {
                triggerEdges.append(
                    TriggerEdge(from: id, to: target.value, kind: kind, file: view.file, path: target.path))
            }
        }
        return result
    }
}
