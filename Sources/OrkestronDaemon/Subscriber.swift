import OrkestronCore
import OrkestronProtocol
import Synchronization

/// What a subscriber receives, in order.
enum SubscriberMessage: Sendable {
    case event(EventLine)
    /// Events that did not fit the subscriber's queue, at the place they went missing.
    case dropped(Int)
}

/// Which events a subscriber wants (`events.subscribe` filters); empty sets mean "all".
struct EventFilter: Sendable, Hashable {
    var jobs: Set<String> = []
    var types: Set<String> = []
    var statuses: Set<String> = []

    func matches(_ event: Event, type: String?) -> Bool {
        if !jobs.isEmpty && !jobs.contains(event.jobId) { return false }
        if !types.isEmpty && !(type.map(types.contains) ?? false) { return false }
        if !statuses.isEmpty && !statuses.contains(event.status.rawValue) { return false }
        return true
    }
}

/// One subscriber: what it wants and its bounded queue (`SubscriberQueue`). A slow reader never slows the
/// engine: delivering only appends to the queue or counts a drop.
struct Subscriber {
    var filter: EventFilter
    let queue: SubscriberQueue

    func deliver(_ line: EventLine) {
        queue.push(line)
    }
}

/// One event and its `event` notification line, encoded once however many subscribers receive it.
///
/// Each connection used to encode every event itself: with 100 subscribers that was 100 encodings per event,
/// the daemon's main cost at 1,000 events/s (row 6 of docs/BENCHMARKS.md). The first forwarder that needs the
/// line encodes it, off the engine's path; the others reuse it.
final class EventLine: Sendable {
    let event: Event
    private let encoded = Mutex<String?>(nil)

    init(_ event: Event) {
        self.event = event
    }

    /// The notification, newline included.
    var line: String {
        encoded.withLock { encoded in
            if let encoded { return encoded }
            let line = RPCNotification(method: "event", params: event.json).json.serialized + "\n"
            encoded = line
            return line
        }
    }
}
