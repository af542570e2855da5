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
/// -32600 error and the connection is closed.
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
    let logger: Logger
    /// Called once the socket listens: one half of readiness (READY=1).
    let onListening: @Sendable () -> Void

    init(listener: Listener, handler: RPCHandler, logger: Logger, onListening: @escaping @Sendable () -> Void) {
        self.listener = listener
        self.handler = handler
        self.logger = logger
        self.onListening = onListening
    }

    private typealias Connection = (channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: PeerCredentials)

    func run() async throws {
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            Self.credentials(of: channel).flatMapThrowing { peer -> Connection in
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: ProtocolInfo.maximumLineLength))
                let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                return (asyncChannel, peer)
            }
        }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
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
            server = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            guard chmod(path, mode_t(mode)) == 0 else {
                throw DaemonError.socket(path: path, reason: "cannot set mode: \(String(cString: strerror(errno)))")
            }
        case .activated(let descriptor, let path):
            socketPath = path
            server = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        }
        logger.info(
            "control socket listening",
            metadata: ["socket": "\(socketPath)", "activated": "\(listener.isActivated)"])
        onListening()
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await self.serve(connection) }
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

    private static func credentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(PeerCredentials(pid: 0, uid: UInt32.max, gid: UInt32.max))
        }
        return provider.unsafeGetSocketOption(level: .init(SOL_SOCKET), name: .init(PeerCredentials.optionName))
            .map { (credentials: PeerCredentials) in credentials }
    }

    /// Serves one connection until the client closes it, it sends an over-long line, or the daemon stops.
    private func serve(_ connection: Connection) async {
        let session = ConnectionSession(peer: connection.peer)
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup { group in
                    defer { group.cancelAll() }
                    do {
                        for try await line in inbound {
                            let replies = await handler.handle(line: Data(line.readableBytesView), session: session)
                            if let replies { try await outbound.write(ByteBuffer(string: replies + "\n")) }
                            if let stream = session.takeNewSubscription() {
                                group.addTask { try await self.forward(stream, to: outbound) }
                            }
                        }
                    } catch is ByteToMessageDecoderError.PayloadTooLargeError {
                        let error = RPCResponse(
                            id: .null,
                            outcome: .failure(.invalidRequest("line longer than \(ProtocolInfo.maximumLineLength) bytes; closing the connection")))
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

    /// Writes a subscriber's events as `event` notifications, and drops as `events.dropped`.
    private func forward(
        _ stream: AsyncStream<SubscriberMessage>, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        for await message in stream {
            let notification: RPCNotification
            switch message {
            case .event(let event):
                notification = RPCNotification(method: "event", params: event.json)
            case .dropped(let count):
                notification = RPCNotification(method: "events.dropped", params: .object([("count", .int(Int64(count)))]))
            }
            try await outbound.write(ByteBuffer(string: notification.json.serialized + "\n"))
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
