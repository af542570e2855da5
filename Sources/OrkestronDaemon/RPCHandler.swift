import Foundation
import Logging
import OrkestronCore
import OrkestronMetrics
import OrkestronProtocol
import OrkestronStore

/// Dispatches JSON-RPC requests to the engine driver and the store, checking the caller's right to control.
struct RPCHandler: Sendable {
    let driver: EngineDriver
    let writer: StoreWriter
    let store: Store
    let version: String
    let controlGroup: gid_t?
    let connections: ConnectionLimiter
    let logger: Logger
    /// All-job metrics and full listings are built one at a time (see `AnswerGate`).
    let wholeDaemonAnswers = AnswerGate()

    /// Answers one line: the response line(s) to write, or nil when it held only notifications.
    func handle(line: Data, session: ConnectionSession) async -> String? {
        switch RPCLine.parse(line) {
        case .failed(let response):
            return response.json.serialized
        case .single(let entry):
            return await answer(entry, session: session).map { $0.joined(separator: "\n") }
        case .batch(let entries):
            var responses: [String] = []
            var extra: [String] = []
            for entry in entries {
                guard let lines = await answer(entry, session: session), let first = lines.first else { continue }
                responses.append(first)
                extra += lines.dropFirst()
            }
            guard !responses.isEmpty else { return nil }
            return (["[" + responses.joined(separator: ",") + "]"] + extra).joined(separator: "\n")
        }
    }

    /// The response (first line) and any replayed events that must follow it, or nil for a notification.
    private func answer(_ entry: RPCEntry, session: ConnectionSession) async -> [String]? {
        switch entry {
        case .rejected(let response):
            return [response.json.serialized]
        case .request(let request):
            var trailing: [String] = []
            let outcome: Result<JSONValue, RPCError>
            do {
                outcome = .success(try await call(request, session: session, trailing: &trailing))
            } catch {
                outcome = .failure(error)
            }
            guard let id = request.id else { return nil }
            return [RPCResponse(id: id, outcome: outcome).json.serialized] + trailing
        }
    }

    private func call(
        _ request: RPCRequest, session: ConnectionSession, trailing: inout [String]
    ) async throws(RPCError) -> JSONValue {
        let params = Params(request.params)
        let peer = session.peer
        let mayControl = peer.mayControl(controlGroup: controlGroup)
        if ProtocolInfo.mutatingMethods.contains(request.method) {
            guard mayControl else {
                logger.warning(
                    "refused mutating call", metadata: ["method": "\(request.method)", "uid": "\(peer.uid)", "pid": "\(peer.pid)"])
                throw RPCError.forbidden(
                    "\(request.method) needs root, the daemon's user or membership in the control group"
                        + (controlGroup == nil ? "" : " (\(controlGroupName))"))
            }
            logger.info("control call", metadata: ["method": "\(request.method)", "uid": "\(peer.uid)", "pid": "\(peer.pid)"])
        }
        let who = "uid \(peer.uid)"

        switch request.method {
        case "daemon.status":
            return await driver.status(version: version, connections: connections.open)
        case "jobs.list":
            let (type, state) = (try params.string("type"), try params.string("state"))
            if let type, let listing = await driver.smallListing(type: type, state: state) { return listing }
            return await wholeDaemonAnswers.inTurn {
                let listing = await driver.jobListing()
                return await offLoop { EngineDriver.listJobs(listing, type: type, state: state) }
            }
        case "jobs.get":
            let id = try params.required("id")
            let members = try await driver.job(id, revealEnvironment: mayControl)
            return await offLoop {
                let recent = (try? store.lastRuns(job: id, limit: 10)) ?? []
                return .object(members + [("recentRuns", .array(recent.map(\.json)))])
            }
        case "jobs.run":
            let result = try await driver.runNow(try params.required("id"), wait: try params.bool("wait") ?? false)
            try await persisted()
            return .object(["runId": .string(result.runId), "status": result.status.map { .string($0.rawValue) }])
        case "jobs.pause", "jobs.resume":
            let ids = try await driver.select(
                ids: try params.stringArray("ids"), type: try params.string("type"), all: try params.bool("all") ?? false)
            let changed = try await driver.setPaused(request.method == "jobs.pause", jobIds: ids, by: who)
            try await persisted()
            return .object([("ids", JSONValue(ids)), ("changed", JSONValue(changed))])
        case "jobs.explain":
            return try await driver.explain(try params.required("id"))
        case "jobs.next":
            let count = try params.int("count") ?? 5
            guard (1...1000).contains(count) else { throw RPCError.invalidParams("count must be 1 to 1000") }
            return try await driver.next(try params.required("id"), count: count)
        case "runs.list":
            let limit = try params.int("limit") ?? 50
            guard (1...10_000).contains(limit) else { throw RPCError.invalidParams("limit must be 1 to 10000") }
            var since: Instant?
            if let text = try params.string("since") {
                guard let instant = Instant(iso8601: text) else {
                    throw RPCError.invalidParams("since must be ISO 8601 with an offset, got \"\(text)\"")
                }
                since = instant
            }
            let (job, status) = (try params.string("job"), try params.string("status"))
            try? await writer.flush()
            return try await offLoop { () throws(RPCError) in
                do {
                    return .array(try store.runs(job: job, status: status, since: since, limit: limit).map(\.json))
                } catch {
                    throw RPCError.internalError("\(error)")
                }
            }
        case "runs.get":
            let runId: String = try params.required("runId")
            try? await writer.flush()
            return try await offLoop { () throws(RPCError) in
                guard let detail = try? store.run(id: runId) else { throw RPCError.notFound("unknown run \"\(runId)\"") }
                return .object([
                    ("run", detail.run.json), ("attempts", EngineDriver.encode(detail.attempts)),
                    ("events", .array(detail.events.map(\.json))),
                ])
            }
        case "runs.cancel":
            let cancelled = try await driver.cancel(runId: try params.string("runId"), jobId: try params.string("job"), store: store)
            try await persisted()
            return .object([("cancelled", JSONValue(cancelled))])
        case "metrics.get":
            let (job, type) = (try params.string("job"), try params.string("type"))
            if let job, type == nil { return await driver.metricsSnapshot(job: job).json }
            return await wholeDaemonAnswers.inTurn {
                let (metrics, now) = await driver.metricsForSnapshot()
                return await offLoop { metrics.snapshot(at: now, job: job, type: type).json }
            }
        case "events.subscribe":
            return try await subscribe(params, session: session, trailing: &trailing)
        case "events.unsubscribe":
            if let id = session.subscription {
                await driver.unsubscribe(id)
                session.unsubscribed()
            }
            return .object([("subscribed", false)])
        case "config.reload":
            let diff = try await driver.reload(store: store)
            try await persisted()
            return .object([
                ("added", JSONValue(diff.added)), ("removed", JSONValue(diff.removed)),
                ("changed", JSONValue(diff.changed)), ("unchanged", JSONValue(diff.unchanged)),
            ])
        case "chaos.set":
            guard let rateValue = params.raw("failureRate") else {
                throw RPCError.invalidParams("failureRate is required (a number 0-1, or null to clear)")
            }
            var rate: Double?
            if !rateValue.isNull {
                guard let value = rateValue.doubleValue, (0...1).contains(value) else {
                    throw RPCError.invalidParams("failureRate must be a number from 0 to 1, or null")
                }
                rate = value
            }
            let jobId: String? = try params.string("job")
            let ids = try await driver.select(ids: jobId.map { [$0] }, type: try params.string("type"), all: false)
            let affected = try await driver.setChaos(jobIds: ids, rate: rate, forMs: try params.int64("forMs"), by: who)
            try await persisted()
            return .object([("ids", JSONValue(affected))])
        default:
            throw RPCError.methodNotFound(request.method)
        }
    }

    /// Runs work that can take milliseconds (a store read, an answer about every job) on Swift's global pool,
    /// not on the connection's event loop, whose thread meanwhile serves its other connections and their event
    /// streams. On a 2-CPU machine one loop serves every connection (`ControlServer.eventLoops`); there the
    /// soak's all-job metrics and full listings, built on the loop, stalled every client for up to 0.7 s and
    /// the subscribers of every event fell 4,096 events behind (`events.dropped`).
    private func offLoop<T, Failure: Error>(_ work: () async throws(Failure) -> T) async throws(Failure) -> T {
        try await withTaskExecutorPreference(globalConcurrentExecutor, operation: work)
    }

    /// Waits until what the call changed is on disk: a change the store could not keep is not acknowledged.
    private func persisted() async throws(RPCError) {
        do {
            try await writer.flush()
        } catch {
            throw RPCError.internalError(
                "not persisted: \(error); the daemon is stopping and restarts from its last commit")
        }
    }

    private var controlGroupName: String {
        guard let controlGroup, let entry = getgrgid(controlGroup) else { return "" }
        return "group \(String(cString: entry.pointee.gr_name))"
    }

    private func subscribe(
        _ params: Params, session: ConnectionSession, trailing: inout [String]
    ) async throws(RPCError) -> JSONValue {
        let filter = EventFilter(
            jobs: Set(try params.stringArray("jobs") ?? []), types: Set(try params.stringArray("types") ?? []),
            statuses: Set(try params.stringArray("statuses") ?? []))
        let replay = try params.int("replay") ?? 0
        guard (0...100_000).contains(replay) else { throw RPCError.invalidParams("replay must be 0 to 100000") }
        if let previous = session.subscription { await driver.unsubscribe(previous) }
        let subscription = await driver.subscribe(filter)
        session.subscribed(id: subscription.id, queue: subscription.queue)
        if replay > 0 {
            try? await writer.flush()
            let stored = await offLoop { (try? store.lastEvents(count: replay * 4 + 100)) ?? [] }
            // The types in one call: a call per stored event queued each behind everything the actor had to do,
            // so under load a replay of 10 took seconds.
            let jobTypes = await driver.jobTypes
            var matching: [Event] = []
            for event in stored.reversed() where event.seq < subscription.firstLiveSeq {
                if filter.matches(event, type: jobTypes[event.jobId]) { matching.append(event) }
                if matching.count == replay { break }
            }
            trailing = matching.reversed().map { RPCNotification(method: "event", params: $0.json).json.serialized }
        }
        return .object([("subscribed", true)])
    }
}

/// Typed access to request params with -32602 errors that name the parameter.
struct Params {
    let value: JSONValue

    init(_ value: JSONValue) {
        self.value = value
    }

    func raw(_ name: String) -> JSONValue? { value[name] }

    func string(_ name: String) throws(RPCError) -> String? {
        guard let raw = value[name], !raw.isNull else { return nil }
        guard let string = raw.stringValue else { throw RPCError.invalidParams("\(name) must be a string") }
        return string
    }

    func required(_ name: String) throws(RPCError) -> String {
        guard let string = try string(name) else { throw RPCError.invalidParams("\(name) is required") }
        return string
    }

    func bool(_ name: String) throws(RPCError) -> Bool? {
        guard let raw = value[name], !raw.isNull else { return nil }
        guard let bool = raw.boolValue else { throw RPCError.invalidParams("\(name) must be true or false") }
        return bool
    }

    func int64(_ name: String) throws(RPCError) -> Int64? {
        guard let raw = value[name], !raw.isNull else { return nil }
        guard let number = raw.intValue else { throw RPCError.invalidParams("\(name) must be an integer") }
        return number
    }

    func int(_ name: String) throws(RPCError) -> Int? {
        try int64(name).map { Int(clamping: $0) }
    }

    func stringArray(_ name: String) throws(RPCError) -> [String]? {
        guard let raw = value[name], !raw.isNull else { return nil }
        guard let items = raw.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            throw RPCError.invalidParams("\(name) must be an array of strings")
        }
        return items.compactMap(\.stringValue)
    }
}
