import Synchronization

/// Per-connection state: who the peer is and its event subscription.
final class ConnectionSession: Sendable {
    let peer: PeerCredentials
    private struct State {
        var subscription: Int?
        var newQueue: SubscriberQueue?
    }

    private let state = Mutex(State())

    init(peer: PeerCredentials) {
        self.peer = peer
    }

    var subscription: Int? { state.withLock { $0.subscription } }

    /// Records a new subscription whose queue the connection must start forwarding.
    func subscribed(id: Int, queue: SubscriberQueue) {
        state.withLock {
            $0.subscription = id
            $0.newQueue = queue
        }
    }

    func unsubscribed() {
        state.withLock { $0.subscription = nil }
    }

    func takeNewSubscription() -> SubscriberQueue? {
        state.withLock { state in
            defer { state.newQueue = nil }
            return state.newQueue
        }
    }

    /// Ends the subscription when the connection goes away.
    func close(_ driver: EngineDriver) async {
        if let id = state.withLock({ state -> Int? in
            defer { state.subscription = nil }
            return state.subscription
        }) {
            await driver.unsubscribe(id)
        }
    }
}
