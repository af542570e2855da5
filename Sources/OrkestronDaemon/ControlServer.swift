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
    let socketPath: String
    let socketMode: UInt32
    let handler: RPCHandler
    let logger: Logger
    /// Called once the socket listens (READY=1 goes there with the systemd issue).
    let onListening: @Sendable () -> Void

    init(socketPath: String, socketMode: UInt32, handler: RPCHandler, logger: Logger, onListening: @escaping @Sendable () -> Void) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.handler = handler
        self.logger = logger
        self.onListening = onListening
    }

    private typealias Connection = (channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: PeerCredentials)

    func run() async throws {
        let directory = (socketPath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true) { channel in
                Self.credentials(of: channel).flatMapThrowing { peer -> Connection in
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: ProtocolInfo.maximumLineLength))
                    let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    return (asyncChannel, peer)
                }
            }
        guard chmod(socketPath, mode_t(socketMode)) == 0 else {
            throw DaemonError.socket(path: socketPath, reason: "cannot set mode: \(String(cString: strerror(errno)))")
        }
        logger.info("control socket listening", metadata: ["socket": "\(socketPath)"])
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
        unlink(socketPath)
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
