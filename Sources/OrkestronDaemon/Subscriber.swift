import OrkestronCore

/// What a subscriber receives, in order.
enum SubscriberMessage: Sendable {
    case event(Event)
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

    func deliver(_ event: Event) {
        queue.push(event)
    }
}
