import OrkestronCore

/// The policy keys a job may inherit from `[defaults]`, with SPEC §8's values when nothing sets them.
struct JobPolicies: Sendable, Hashable {
    var timeoutMs: Int64?
    var killGraceMs: Int64 = 5_000
    var missed: MissedPolicy = .runOnce
    var overlap: OverlapPolicy = .skip
    var retry = RetryPolicy()
    var priority: Int?
    var maxConcurrency: Int?
    var deadlineMs: Int64?
    var jitterMs: Int64 = 0
    var catchup: CatchupPolicy?
    var pauseAfterFailures: Int?
    var maxStalenessMs: Int64?
}

extension ConfigResolver {
    /// What `[defaults]` accepts: the per-job policies. Identity (`id`, `type`), schedule (`interval`, `cron`,
    /// `offset`, `timezone`), workload (`command`, `duration`, `failure_rate`, …), triggers and `paused` are
    /// properties of one job and are rejected there with a sentence saying so.
    static let defaultsKeys = ConfigKeys.defaults
    static let retryKeys = ConfigKeys.retry
    static let catchupKeys = ConfigKeys.catchup
    static let typeKeys = ConfigKeys.type
    /// The engine's bound on catch-up runs when `catchup.max` is not set.
    static let defaultCatchupMax = 1_000

    mutating func readDefaults(_ view: TableView) {
        var misplaced: [String: String] = [:]
        for key in Self.jobKeys where !Self.defaultsKeys.contains(key) {
            misplaced[key] = "it belongs to each [[job]]"
        }
        misplaced["timezone"] = "the default zone is [daemon].timezone"
        checkKeys(view, allowed: Self.defaultsKeys, misplaced: misplaced)
        var merged = defaults
        readPolicies(view, into: &merged)
        defaults = merged
        for key in Self.defaultsKeys where view[key] != nil {
            defaultsOrigin[key] = (view.file, view.path(of: key))
        }
    }

    /// Reads the policy keys present in `view` over `policies`; `retry` and `catchup` tables override single
    /// keys, so a job's `retry = { max_retries = 5 }` keeps the curve of `[defaults]`.
    mutating func readPolicies(_ view: TableView, into policies: inout JobPolicies) {
        if let timeout = duration("timeout", in: view, .positive) { policies.timeoutMs = timeout }
        if let grace = duration("kill_grace", in: view, .nonNegative) { policies.killGraceMs = grace }
        if let missed = choice("missed", in: view, MissedPolicy.self) { policies.missed = missed }
        if let overlap = choice("overlap", in: view, OverlapPolicy.self) { policies.overlap = overlap }
        readRetry(view, into: &policies.retry)
        if let priority = integer("priority", in: view) { policies.priority = priority }
        if let limit = integer("max_concurrency", in: view, atLeast: 1) { policies.maxConcurrency = limit }
        if let deadline = duration("deadline", in: view, .positive) { policies.deadlineMs = deadline }
        if let jitter = duration("jitter", in: view, .nonNegative) { policies.jitterMs = jitter }
        readCatchup(view, into: &policies.catchup)
        if let count = integer("pause_after_failures", in: view, atLeast: 1) { policies.pauseAfterFailures = count }
        if let staleness = duration("max_staleness", in: view, .positive) { policies.maxStalenessMs = staleness }
    }

    private mutating func readRetry(_ view: TableView, into retry: inout RetryPolicy) {
        guard let node = view["retry"] else { return }
        switch node {
        case .integer:
            if let count = integer("retry", in: view, atLeast: 0) { retry.maxRetries = count }
        case .table(let entries):
            let table = TableView(
                file: view.file, path: view.path(of: "retry"), entries: entries, context: "retry of \(view.context)")
            checkKeys(table, allowed: Self.retryKeys)
            if let count = integer("max_retries", in: table, atLeast: 0) { retry.maxRetries = count }
            if let backoff = choice("backoff", in: table, RetryPolicy.Backoff.self) { retry.backoff = backoff }
            if let delay = duration("initial_delay", in: table, .nonNegative) { retry.initialDelayMs = delay }
            if let multiplier = number("multiplier", in: table, atLeast: 1) { retry.multiplier = multiplier }
            if let delay = duration("max_delay", in: table, .nonNegative) { retry.maxDelayMs = delay }
            if let jitter = number("jitter", in: table, in: 0...1) { retry.jitter = jitter }
        default:
            report(
                "expected an integer (the number of retries) or a table like { max_retries = 3, backoff = "
                    + "\"exponential\" } for \"retry\", found \(node.kindDescription)",
                file: view.file, path: view.path(of: "retry"))
        }
    }

    private mutating func readCatchup(_ view: TableView, into catchup: inout CatchupPolicy?) {
        guard let table = table("catchup", in: view, context: "catchup of \(view.context)") else { return }
        checkKeys(table, allowed: Self.catchupKeys)
        var result = catchup ?? CatchupPolicy(max: Self.defaultCatchupMax, staggerMs: 0)
        if let max = integer("max", in: table, atLeast: 1) { result.max = max }
        if let stagger = duration("stagger", in: table, .nonNegative) { result.staggerMs = stagger }
        catchup = result
    }

    /// `[types]`: one table per type name, each merged key by key over earlier files.
    mutating func readTypes(_ view: TableView) {
        for name in orderedKeys(of: view) {
            guard let type = table(name, in: view, context: "[types.\(ConfigPath.render(key: name))]") else {
                continue
            }
            if name.isEmpty {
                report("a type name must not be empty", file: view.file, path: type.path, anchor: .key)
                continue
            }
            typeMentions.append(
                (view.file, position(file: view.file, path: type.path, anchor: .key), name))
            checkKeys(type, allowed: Self.typeKeys)
            var settings = typeSettings[name] ?? TypeSettings()
            if let limit = integer("max_concurrency", in: type, atLeast: 1) { settings.maxConcurrency = limit }
            if let priority = integer("priority", in: type) { settings.priority = priority }
            typeSettings[name] = settings
        }
    }

    /// `catchup` in `[defaults]` only matters to jobs with `missed = "run_all"`; when none has it, say so.
    mutating func checkUnusedDefaults() {
        guard let origin = defaultsOrigin["catchup"], !jobs.isEmpty,
            !jobs.contains(where: { $0.missed == .runAll })
        else { return }
        warn(
            "catchup has no effect: no job has missed = \"run_all\"", file: origin.file, path: origin.path)
    }
}
