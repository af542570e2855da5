import Foundation
import OrkestronClient
import OrkestronProtocol
import Synchronization

/// Polls `probe` until it returns a value, or throws after `timeout` naming what was awaited.
func eventually<T>(
    _ what: String, timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(50),
    _ probe: () async throws -> T?
) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if let value = try await probe() { return value }
        guard clock.now < deadline else { throw HarnessError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}

/// The `event` notifications a subscribed client receives, collected in the background.
///
/// Create it right after `events.subscribe` answered; it consumes `client.notifications` (which has a single
/// consumer) until the connection ends or `stop()` is called.
final class EventLog: Sendable {
    private final class Storage: Sendable {
        let received = Mutex<[JSONValue]>([])
        let dropped = Mutex(0)
    }

    private let storage = Storage()
    private let reader = Mutex<Task<Void, Never>?>(nil)

    init(_ client: ControlClient) {
        let stream = client.notifications
        let storage = self.storage
        let task = Task {
            for await notification in stream {
                switch notification.method {
                case "event": storage.received.withLock { $0.append(notification.params) }
                case "events.dropped": storage.dropped.withLock { $0 += 1 }
                default: break
                }
            }
        }
        reader.withLock { $0 = task }
    }

    deinit {
        reader.withLock { $0?.cancel() }
    }

    /// Subscribes `client` with `params` and starts collecting.
    static func subscribe(_ client: ControlClient, _ params: JSONValue = .object([])) async throws -> EventLog {
        let answer = try await client.call("events.subscribe", params)
        guard answer["subscribed"] == .bool(true) else {
            throw HarnessError("events.subscribe answered \(answer.serialized)")
        }
        return EventLog(client)
    }

    func stop() {
        reader.withLock { $0?.cancel() }
    }

    /// Every event received so far, in arrival order.
    var events: [JSONValue] { storage.received.withLock { $0 } }

    var droppedNotices: Int { storage.dropped.withLock { $0 } }

    /// Waits until `condition` holds for the events received so far, and returns them.
    @discardableResult
    func wait(
        for what: String, timeout: Duration = .seconds(10), _ condition: ([JSONValue]) -> Bool
    ) async throws -> [JSONValue] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let events = self.events
            if condition(events) { return events }
            guard clock.now < deadline else {
                let tail = events.suffix(30).map(\.compact).joined(separator: "\n")
                throw HarnessError("timed out after \(timeout) waiting for \(what); last events:\n\(tail)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for an event matching `match` and returns the first one.
    @discardableResult
    func first(
        _ what: String, timeout: Duration = .seconds(10), where match: @escaping (JSONValue) -> Bool
    ) async throws -> JSONValue {
        let events = try await wait(for: what, timeout: timeout) { $0.contains(where: match) }
        return events.first(where: match)!
    }

    /// The events of one run, in arrival order.
    func events(ofRun runId: String) -> [JSONValue] {
        events.filter { $0.runId == runId }
    }
}

// MARK: - JSON conveniences

extension JSONValue {
    var runId: String? { self["runId"]?.stringValue }
    var jobId: String? { self["jobId"]?.stringValue }
    var status: String? { self["status"]?.stringValue }
    var seq: Int64? { self["seq"]?.intValue }

    /// A short one-line form for failure messages.
    var compact: String {
        let text = serialized
        return text.count > 400 ? String(text.prefix(400)) + "…" : text
    }

    /// The string members of an array (`nil` when not an array of strings).
    var strings: [String]? {
        guard let items = arrayValue else { return nil }
        let strings = items.compactMap(\.stringValue)
        return strings.count == items.count ? strings : nil
    }
}

extension Array where Element == JSONValue {
    /// The statuses of these events, in order.
    var statuses: [String] { compactMap(\.status) }
}

/// Statuses that end a run (when no RETRY follows a FAILED/TIMEOUT, which the tests check separately).
let runEndingStatuses: Set<String> = ["SUCCESS", "FAILED", "TIMEOUT", "CANCELLED", "SKIPPED"]
