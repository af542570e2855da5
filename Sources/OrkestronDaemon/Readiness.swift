import OrkestronSystemd
import Synchronization

/// READY=1 once both halves are up: the control socket listens and the engine runs (SPEC §4). The two come
/// from different services of the group, in either order.
final class Readiness: Sendable {
    private let state = Mutex((socket: false, engine: false, sent: false))
    let notifier: SystemdNotifier

    init(notifier: SystemdNotifier) {
        self.notifier = notifier
    }

    func socketListening() {
        update { $0.socket = true }
    }

    func engineRunning() {
        update { $0.engine = true }
    }

    private func update(_ change: (inout (socket: Bool, engine: Bool, sent: Bool)) -> Void) {
        let send = state.withLock { state -> Bool in
            change(&state)
            guard state.socket, state.engine, !state.sent else { return false }
            state.sent = true
            return true
        }
        if send { notifier.ready(status: "starting") }
    }
}
