import OrkestronCore

/// What a subscriber receives, in order.
enum SubscriberMessage: Sendable {
    case event(Event)
    /// Events that did not fit the subscriber's queue since the last delivery.
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

/// One subscriber's bounded queue. A slow reader never slows the engine: when its queue is full, events are
/// counted as dropped and it is told how many once there is room again.
struct Subscriber {
    static let queueLimit = 4_096

    var filter: EventFilter
    let sink: AsyncStream<SubscriberMessage>.Continuation
    var dropped = 0

    mutating func deliver(_ event: Event) {
        if dropped > 0 {
            guard case .enqueued = sink.yield(.dropped(dropped)) else {
                dropped += 1
                return
            }
            dropped = 0
        }
        if case .dropped = sink.yield(.event(event)) { dropped += 1 }
    }
}
