import OrkestronCore
import OrkestronProtocol

/// What the soak's clients ask, and how often: what operators and their tools do against a busy daemon.
///
/// Mostly the cheap reads a script or `orkctl` makes (status, one job, its history, its metrics), some whole-
/// daemon views (`orkctl list`, `orkctl metrics`, `orkctl history`) and a share of control calls (a manual run,
/// pause and resume), each of which waits for its commit. Whole-daemon views answer for all 1,000 jobs (a full
/// `jobs.list` is ~270 kB): they get a small weight, as a few operators' dashboards would.
enum RequestKind: String, CaseIterable, Sendable, Codable {
    case status
    case listOperations
    case listAll
    case getJob
    case explainJob
    case nextSlots
    case jobHistory
    case recentHistory
    case jobMetrics
    case allMetrics
    case runManual
    case pauseOrResume
    case subscribe

    /// Relative frequency in each client's loop (per mille; `subscribe` only on subscribing clients, see
    /// `LoadClient`).
    var weight: Int {
        switch self {
        case .status: 150
        case .listOperations: 90
        case .listAll: 10
        case .getJob: 150
        case .explainJob: 60
        case .nextSlots: 50
        case .jobHistory: 150
        case .recentHistory: 50
        case .jobMetrics: 140
        case .allMetrics: 5
        case .runManual: 60
        case .pauseOrResume: 60
        case .subscribe: 25
        }
    }

    /// The method name of SPEC §5 (pause or resume alternate per client: see `LoadClient`).
    var method: String {
        switch self {
        case .status: "daemon.status"
        case .listOperations, .listAll: "jobs.list"
        case .getJob: "jobs.get"
        case .explainJob: "jobs.explain"
        case .nextSlots: "jobs.next"
        case .jobHistory, .recentHistory: "runs.list"
        case .jobMetrics, .allMetrics: "metrics.get"
        case .runManual: "jobs.run"
        case .pauseOrResume: "jobs.pause"
        case .subscribe: "events.subscribe"
        }
    }

    /// Error codes this request may legitimately get. None: every request of the mix is valid at any time
    /// (pausing a paused job is not an error, SPEC §5), so any error response is counted.
    var expectedErrorCodes: Set<Int64> { [] }

    /// One request line (without its newline) with `id`, drawing the job it names from `random`.
    func line(id: Int64, jobs: Int, pause: Bool, random: inout SplitMix64) -> String {
        let anyJob = JSONValue.string(SoakConfiguration.jobID(Int(random.next(in: 0, Int64(jobs - 1)))))
        var method = self.method
        let params: JSONValue
        switch self {
        case .status, .listAll, .allMetrics:
            params = .object([])
        case .listOperations:
            params = .object([("type", .string(SoakConfiguration.operationsType))])
        case .getJob, .explainJob:
            params = .object([("id", anyJob)])
        case .nextSlots:
            params = .object([("id", anyJob), ("count", 5)])
        case .jobHistory:
            params = .object([("job", anyJob), ("limit", 10)])
        case .recentHistory:
            params = .object([("limit", 50)])
        case .jobMetrics:
            params = .object([("job", anyJob)])
        case .runManual:
            params = .object([("id", .string(SoakConfiguration.manualJob))])
        case .pauseOrResume:
            method = pause ? "jobs.pause" : "jobs.resume"
            params = .object([("ids", [.string(SoakConfiguration.pausableJob)])])
        case .subscribe:
            // Like `orkctl watch JOB --replay 10`: one job's events and the operators' jobs, after a short
            // replay from the store.
            params = .object([
                ("jobs", [anyJob, .string(SoakConfiguration.manualJob), .string(SoakConfiguration.pausableJob)]),
                ("replay", 10),
            ])
        }
        return RPCRequest(id: .int(id), method: method, params: params).json.serialized
    }

    /// Draws a kind by weight; `subscribe` only when `subscribing`.
    static func draw(subscribing: Bool, random: inout SplitMix64) -> RequestKind {
        let kinds = subscribing ? allCases : allCases.filter { $0 != .subscribe }
        let total = kinds.reduce(0) { $0 + $1.weight }
        var pick = Int(random.next(in: 0, Int64(total - 1)))
        for kind in kinds {
            if pick < kind.weight { return kind }
            pick -= kind.weight
        }
        return .status
    }
}
