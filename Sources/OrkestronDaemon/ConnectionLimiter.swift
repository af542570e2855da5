import OrkestronProtocol
import Synchronization

/// Caps the open control connections, per peer user and in total.
///
/// The socket is usually world-connectable (`socket_mode = "0666"`), so any local user could otherwise open
/// connections until the daemon runs out of file descriptors and `orkctl` fails for everyone. The per-user cap
/// keeps one user's flood (or a leaking script) from locking out the others, root included; the total cap
/// keeps the daemon inside its descriptor limit. A connection beyond either cap gets one -32005 error line
/// naming the limit and is closed (`ControlServer.refuse`).
final class ConnectionLimiter: Sendable {
    struct Limits: Sendable, Hashable {
        /// Connections one uid may hold open at once (like dbus-daemon's `max_connections_per_user`).
        var perUser: Int
        /// Connections of all users together; bounded by the descriptor limit (see `Daemon.connectionLimits`).
        var total: Int

        static let defaultPerUser = 256
        static let defaultTotal = 1_024
    }

    /// What `admit` decided.
    enum Admission: Sendable {
        case admitted
        /// `error` is the line to send; `firstOfEpisode` is true for the first refusal since the limit was last
        /// below its cap, so a flood is logged once rather than once per connection.
        case refused(RPCError, firstOfEpisode: Bool)
    }

    let limits: Limits

    private struct State {
        var total = 0
        var perUser: [UInt32: Int] = [:]
        /// Limits that have refused someone and not yet had room again: "total", or a uid's description.
        var saturated: Set<String> = []
    }

    private let state = Mutex(State())

    init(limits: Limits) {
        self.limits = limits
    }

    /// Counts the connection in when there is room; every admitted connection must be `release`d once.
    func admit(_ peer: PeerCredentials) -> Admission {
        state.withLock { state in
            let mine = state.perUser[peer.uid, default: 0]
            let refusal: (key: String, message: String)?
            if mine >= limits.perUser {
                refusal = (
                    "uid \(peer.uid)",
                    "too many connections: at most \(limits.perUser) per user, and uid \(peer.uid) has \(mine) open; closing this one"
                )
            } else if state.total >= limits.total {
                refusal = ("total", "too many connections: at most \(limits.total) in total are open; closing this one")
            } else {
                refusal = nil
            }
            guard let refusal else {
                state.total += 1
                state.perUser[peer.uid] = mine + 1
                return .admitted
            }
            let first = state.saturated.insert(refusal.key).inserted
            return .refused(.tooManyConnections(refusal.message), firstOfEpisode: first)
        }
    }

    func release(_ peer: PeerCredentials) {
        state.withLock { state in
            state.total -= 1
            let mine = state.perUser[peer.uid, default: 1] - 1
            state.perUser[peer.uid] = mine == 0 ? nil : mine
            state.saturated.remove("uid \(peer.uid)")
            if state.total < limits.total { state.saturated.remove("total") }
        }
    }

    /// Connections open now (admitted and not yet released).
    var open: Int { state.withLock { $0.total } }
}
