import Foundation
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import OrkestronProtocol
import ServiceLifecycle

/// The Unix control socket: newline-delimited JSON-RPC 2.0, one task per connection.
///
/// Each connection is served in its own child task with its own error handling, so a bad client can only
/// close its own connection. Lines are capped at 1 MiB by the frame decoder; an over-long line earns a
/// -32600 error and the connection is closed, and so does a line left incomplete for 10 s
/// (`PartialLineTimeoutHandler`). Connections beyond `ConnectionLimiter`'s caps get a -32005 error and are
/// closed. Every write goes through the channel's async writer, which waits while the socket's send buffer
/// and NIO's 64 KiB high-water mark are full, so a client that never reads costs a bounded amount of memory.
final class ControlServer: Service, Sendable {
    /// Where the listener comes from.
    enum Listener: Sendable {
        /// Bind this path (replacing a stale socket file), set its mode, and unlink it on shutdown.
        case path(String, mode: UInt32)
        /// Serve a socket systemd passed (socket activation); its file belongs to the socket unit and stays.
        case activated(descriptor: Int32, path: String)
    }

    let listener: Listener
    let handler: RPCHandler
    let limiter: ConnectionLimiter
    let logger: Logger
    /// Called once the socket listens: one half of readiness (READY=1).
    let onListening: @Sendable () -> Void

    init(
        listener: Listener, handler: RPCHandler, limiter: ConnectionLimiter, logger: Logger,
        onListening: @escaping @Sendable () -> Void
    ) {
        self.listener = listener
        self.handler = handler
        self.limiter = limiter
        self.logger = logger
        self.onListening = onListening
    }

    /// The threads that serve connections: one fewer than the CPUs, and at least one.
    ///
    /// Serving requests must not be able to take every CPU from the engine's thread. With NIO's default (one
    /// loop per CPU), 200 busy clients on a 2-CPU machine kept both CPUs busy with answers and event streams:
    /// the engine's timer wake-ups then waited for a CPU, or for a lock (an event loop's task queue, a
    /// subscriber's queue) held by a loop thread that had been preempted, and loaded start lateness p99 was
    /// 5–6 ms against 0–1 ms unloaded. With one loop it was 2 ms in three 60 s runs (`make soak`), and 1 ms with
    /// the engine thread's nice value (`EngineExecutor.engineNice`). One loop stalls behind a long answer, so
    /// those are built off it (`RPCHandler.offLoop`). A machine with more CPUs keeps all but one for serving.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount - 1))

    private typealias Connection = (channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: PeerCredentials)

    func run() async throws {
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            Self.credentials(of: channel).flatMapThrowing { peer -> Connection in
                try channel.pipeline.syncOperations.addHandler(PartialLineTimeoutHandler())
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: ProtocolInfo.maximumLineLength))
                let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                return (asyncChannel, peer)
            }
        }
        let bootstrap = ServerBootstrap(group: Self.eventLoops)
            .serverChannelOption(.backlog, value: 256)
            // A client that shuts down its write side after its request still gets the answer (and, subscribed,
            // its events); NIO would otherwise close the connection at the first EOF.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let server: NIOAsyncChannel<Connection, Never>
        let socketPath: String
        switch listener {
        case .path(let path, let mode):
            socketPath = path
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            // Bound under a temporary name, given its group and mode, then renamed into place: at the final path
            // the socket never has the umask's mode and the daemon's group, not even for a moment.
            let staging = path + "~"
            let staged = staging.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
            if staged { try Self.checkReplaceable(path) }
            let bindPath = staged ? staging : path
            server = try await bootstrap.bind(
                unixDomainSocketPath: bindPath, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            // The socket's group is control_group, so that `socket_mode = "0660"` admits exactly the
            // controllers. Not fatal when refused (a daemon neither root nor in the group): each call is still
            // authorized with SO_PEERCRED, so a wrong group can only lock people out, never let them in.
            if let group = handler.controlGroup, chown(bindPath, uid_t.max, group) != 0 {
                logger.warning(
                    "cannot give the control socket to control_group",
                    metadata: ["socket": "\(path)", "gid": "\(group)", "error": "\(String(cString: strerror(errno)))"])
            }
            guard chmod(bindPath, mode_t(mode)) == 0 else {
                throw DaemonError.socket(path: path, reason: "cannot set mode: \(String(cString: strerror(errno)))")
            }
            guard !staged || rename(staging, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(staging)
                throw DaemonError.socket(path: path, reason: "cannot move the socket into place: \(reason)")
            }
        case .activated(let descriptor, let path):
            socketPath = path
            server = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        }
        logger.info(
            "control socket listening",
            metadata: [
                "socket": "\(socketPath)", "activated": "\(listener.isActivated)",
                "max_connections": "\(limiter.limits.total)", "max_connections_per_user": "\(limiter.limits.perUser)",
            ])
        onListening()
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            // Refusals are written from their own task too: the accept loop never waits on a client.
                            switch limiter.admit(connection.peer) {
                            case .admitted:
                                // On the connection's own event loop: no thread hop per request (see the executor).
                                let executor = EventLoopTaskExecutor(connection.channel.channel.eventLoop)
                                group.addTask(executorPreference: executor) {
                                    await self.serve(connection)
                                    self.limiter.release(connection.peer)
                                }
                            case .refused(let error, let firstOfEpisode):
                                group.addTask { await self.refuse(connection, error, log: firstOfEpisode) }
                            }
                        }
                    } catch {
                        self.logger.error("accepting connections failed", metadata: ["error": "\(error)"])
                    }
                    group.cancelAll()
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
        if case .path = listener { unlink(socketPath) }
    }

    /// Like NIO's `cleanupExistingSocketFile`: what the socket replaces may be a stale socket, never a file.
    private static func checkReplaceable(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw DaemonError.socket(path: path, reason: "exists and is not a socket; not replacing it")
        }
    }

    private static func credentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(PeerCredentials(pid: 0, uid: UInt32.max, gid: UInt32.max))
        }
        return provider.unsafeGetSocketOption(level: .init(SOL_SOCKET), name: .init(PeerCredentials.optionName))
            .map { (credentials: PeerCredentials) in credentials }
    }

    /// Serves one connection until the client closes it, it sends an over-long line or leaves one unfinished,
    /// or the daemon stops. A subscriber that shut down its write side keeps receiving events until it closes.
    private func serve(_ connection: Connection) async {
        let session = ConnectionSession(peer: connection.peer)
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup { group in
                    defer { group.cancelAll() }
                    var refusal: RPCError?
                    do {
                        for try await line in inbound {
                            let replies = await handler.handle(line: Data(line.readableBytesView), session: session)
                            if let replies { try await outbound.write(ByteBuffer(string: replies + "\n")) }
                            if let queue = session.takeNewSubscription() {
                                group.addTask { try await self.forward(queue, to: outbound) }
                            }
                        }
                        // End of input. Half-closed by a subscriber (`… | nc -N -U`): its events still flow, until
                        // the peer closes for good (NIO then closes the channel) or the daemon stops.
                        if session.subscription != nil {
                            try await Self.waitUntilClosed(connection.channel.channel)
                        }
                    } catch is ByteToMessageDecoderError.PayloadTooLargeError {
                        refusal = .invalidRequest("line longer than \(ProtocolInfo.maximumLineLength) bytes; closing the connection")
                    } catch let expired as PartialLineTimeoutHandler.Expired {
                        logger.debug("incomplete request line timed out", metadata: ["peer": "\(connection.peer)"])
                        refusal = .invalidRequest(expired.description)
                    }
                    if let refusal {
                        let error = RPCResponse(id: .null, outcome: .failure(refusal))
                        try? await outbound.write(ByteBuffer(string: error.json.serialized + "\n"))
                    }
                    await session.close(handler.driver)
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["peer": "\(connection.peer)", "error": "\(error)"])
            await session.close(handler.driver)
        }
    }

    /// Waits for NIO to close the channel (the peer hung up, or a write failed); on cancellation (the daemon
    /// stops) closes it, so the wait always ends.
    private static func waitUntilClosed(_ channel: any Channel) async throws {
        try await withTaskCancellationHandler {
            try await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Answers a connection over the limits with one error line (`id: null`) and closes it.
    private func refuse(_ connection: Connection, _ error: RPCError, log: Bool) async {
        if log {
            // Once per episode: a flood of a thousand connections is one warning, not a thousand.
            logger.warning(
                "refusing control connections over the limit",
                metadata: ["uid": "\(connection.peer.uid)", "pid": "\(connection.peer.pid)", "reason": "\(error.message)"])
        }
        let line = RPCResponse(id: .null, outcome: .failure(error)).json.serialized + "\n"
        try? await connection.channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(string: line))
        }
    }

    /// Writes a subscriber's events as `event` notifications, and drops as `events.dropped`.
    private func forward(
        _ queue: SubscriberQueue, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        // Each write waits while the socket is full, so the queue (bounded) takes the backlog, not NIO. What is
        // queued when a write starts goes in that write (at most `burst` lines, some 20 kB): a busy subscriber
        // then costs one hop to the event loop and one system call per burst instead of per event. Each event's
        // line was encoded once for all subscribers (`EventLine`).
        let burst = 64
        while let first = await queue.next() {
            var text = ""
            for message in [first] + queue.takeAvailable(limit: burst - 1) {
                switch message {
                case .event(let line):
                    text += line.line
                case .dropped(let count):
                    let params = JSONValue.object([("count", .int(Int64(count)))])
                    RPCNotification(method: "events.dropped", params: params).json.write(to: &text)
                    text += "\n"
                }
            }
            try await outbound.write(ByteBuffer(string: text))
        }
    }
}

/// Errors that stop the daemon from starting.
enum DaemonError: Error, CustomStringConvertible {
    case socket(path: String, reason: String)
    case state(path: String, reason: String)

    var description: String {
        switch self {
        case .socket(let path, let reason): return "control socket \(path): \(reason)"
        case .state(let path, let reason): return "state directory \(path): \(reason)"
        }
    }
}

extension ControlServer.Listener {
    var isActivated: Bool {
        if case .activated = self { return true }
        return false
    }
}
