import NIOCore
import NIOExtras
import NIOPosix

/// The loaded phase's clients: connects them all on one event loop, stops them, and hands back their tally.
///
/// Confined to its event loop (the command holds it through `NIOLoopBound`); every client records into the
/// one `LoadTally`.
final class LoadFleet {
    struct Plan {
        var clients: Int
        /// Clients that also follow one job's events (with a replay at each subscription).
        var subscribers: Int
        /// Clients that follow every event, like `orkctl top`.
        var fullSubscribers: Int
        var settings: LoadClient.Settings
        var seed: UInt64
    }

    let tally = LoadTally()
    private let eventLoop: any EventLoop
    private var clients: [LoadClient] = []
    private var channels: [any Channel] = []
    private var connecting: [EventLoopFuture<any Channel>] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Opens every client's connection at once (the daemon's backlog is 256); failures are counted. On the loop.
    func start(_ plan: Plan, socketPath: String) {
        // The channel initializer must be Sendable; it runs on this same loop, where the bound value is ours.
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        for index in 0..<plan.clients {
            let role: LoadClient.Role =
                index < plan.fullSubscribers ? .fullSubscriber
                : index < plan.fullSubscribers + plan.subscribers ? .subscriber : .plain
            let seed = plan.seed &+ UInt64(index) &* 0x9e37_79b9_7f4a_7c15
            let settings = plan.settings
            let connection = ClientBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let client = LoadClient(role: role, settings: settings, tally: loopBound.value.tally, seed: seed)
                        loopBound.value.clients.append(client)
                        // A full jobs.list is a few hundred kilobytes on one line.
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: 64 << 20))
                        try channel.pipeline.syncOperations.addHandler(client)
                    }
                }
                .connect(unixDomainSocketPath: socketPath)
            connection.assumeIsolated().whenComplete { result in
                switch result {
                case .success(let channel):
                    self.channels.append(channel)
                case .failure(let error):
                    self.tally.failed(.connectFailed, detail: "\(error)")
                }
            }
            connecting.append(connection)
        }
    }

    /// Asks every client to stop after its request in flight; the future completes when every connection has
    /// closed (a request still waiting then ends by its own timeout at the latest).
    func stop() -> EventLoopFuture<LoadResult> {
        let connected = EventLoopFuture.whenAllComplete(connecting, on: eventLoop)
        return connected.assumeIsolated().flatMap { _ in
            for client in self.clients { client.stop() }
            let closes = self.channels.map(\.closeFuture)
            return EventLoopFuture.whenAllComplete(closes, on: self.eventLoop).assumeIsolated()
                .map { _ in self.tally.result }.nonisolated()
        }.nonisolated()
    }
}
