import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import OrkestronProtocol
import Synchronization

/// A connection to `orkestrond`'s control socket: concurrent calls matched by id, and a stream of the
/// notifications the daemon pushes (`event`, `events.dropped`).
///
/// The connection lives for the duration of `withConnection`'s body; its reader runs in a child task, so nothing
/// outlives the call.
public final class ControlClient: Sendable {
    /// How long a call waits for its answer unless told otherwise. The daemon answers in milliseconds (an
    /// answer about every job under heavy load: under 2 s), so a call still unanswered after this finds the daemon
    /// stopped (SIGSTOP, a debugger) or stuck, and says so rather than waiting for ever: `systemctl` gives D-Bus
    /// calls 25 s for the same reason.
    public static let answerTimeout: Duration = .seconds(30)

    private let path: String
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let state = Mutex(State())
    public let notifications: AsyncStream<RPCNotification>
    private let notificationSink: AsyncStream<RPCNotification>.Continuation

    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: ResponsePromise] = [:]
        var closed: ClientError?
    }

    private init(path: String, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.path = path
        self.outbound = outbound
        (notifications, notificationSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(100_000))
    }

    /// Connects to the socket at `path`, runs `body`, then closes the connection.
    public static func withConnection<Result: Sendable>(
        socketPath path: String, _ body: (ControlClient) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: 64 << 20))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw ClientError.cannotConnect(path: path, reason: ClientError.describe(connectError: error, path: path))
        }
        return try await channel.executeThenClose { inbound, outbound in
            let client = ControlClient(path: path, outbound: outbound)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.read(inbound) }
                defer { group.cancelAll() }
                return try await body(client)
            }
        }
    }

    /// Calls a method and returns its result; a JSON-RPC error is thrown as `RPCError`, and no answer within
    /// `timeout` (`nil`: none, for a call that waits for a run to end) as `ClientError.noAnswer`.
    public func call(
        _ method: String, _ params: JSONValue = .object([]), timeout: Duration? = ControlClient.answerTimeout
    ) async throws -> JSONValue {
        let promise = ResponsePromise()
        let registered = state.withLock { state -> Result<Int64, ClientError> in
            if let closed = state.closed { return .failure(closed) }
            let id = state.nextID
            state.nextID += 1
            state.pending[id] = promise
            return .success(id)
        }
        let id = try registered.get()
        let line = RPCRequest(id: .int(id), method: method, params: params).json.serialized + "\n"
        // A failed write means the channel is closed, so the reader is ending too and fails this call with the
        // reason the daemon gave, if any (a refused connection may be closed before the request goes out).
        try? await outbound.write(ByteBuffer(string: line))
        let expiry = timeout.map { timeout in
            Task {
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                // An answer that comes later finds no pending call and is dropped.
                guard state.withLock({ $0.pending.removeValue(forKey: id) }) != nil else { return }
                promise.fulfill(.failure(ClientError.noAnswer(path: path, method: method, after: timeout)))
            }
        }
        defer { expiry?.cancel() }
        return try await promise.value
    }

    /// Sends a notification (no response expected).
    public func notify(_ method: String, _ params: JSONValue = .object([])) async throws {
        try await outbound.write(ByteBuffer(string: RPCRequest(id: nil, method: method, params: params).json.serialized + "\n"))
    }

    private func read(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async {
        // An error that answers no request (`id: null`), such as the daemon's connection limit, says why the
        // daemon is about to close the connection; the calls still waiting are failed with it.
        var connectionError: RPCError?
        do {
            for try await line in inbound {
                guard let message = try? JSONValue.parse(Data(line.readableBytesView)) else { continue }
                if let method = message["method"]?.stringValue, message["id"] == nil {
                    notificationSink.yield(RPCNotification(method: method, params: message["params"] ?? .null))
                    continue
                }
                guard let id = message["id"]?.intValue else {
                    if let error = message["error"].flatMap(RPCError.init(json:)) { connectionError = error }
                    continue
                }
                let promise = state.withLock { $0.pending.removeValue(forKey: id) }
                if let error = message["error"], let rpcError = RPCError(json: error) {
                    promise?.fulfill(.failure(rpcError))
                } else {
                    promise?.fulfill(.success(message["result"] ?? .null))
                }
            }
        } catch {}
        let closed = connectionError.map { ClientError.closedByDaemon($0.message) } ?? .connectionClosed
        let waiting = state.withLock { state in
            state.closed = closed
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for promise in waiting { promise.fulfill(.failure(closed)) }
        notificationSink.finish()
    }
}

/// The answer to one call, which may arrive before or after the caller starts waiting for it.
final class ResponsePromise: Sendable {
    private enum State {
        case waiting
        case suspended(CheckedContinuation<JSONValue, any Error>)
        case done(Result<JSONValue, any Error>)
    }

    private let state = Mutex(State.waiting)

    func fulfill(_ result: Result<JSONValue, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<JSONValue, any Error>? in
            switch state {
            case .waiting:
                state = .done(result)
                return nil
            case .suspended(let continuation):
                state = .done(result)
                return continuation
            case .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    var value: JSONValue {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<JSONValue, any Error>? in
                    switch state {
                    case .waiting:
                        state = .suspended(continuation)
                        return nil
                    case .done(let result):
                        return result
                    case .suspended:
                        return .failure(ClientError.connectionClosed)
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}

/// Why the client could not talk to the daemon.
public enum ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotConnect(path: String, reason: String)
    case connectionClosed
    /// The daemon closed the connection after saying why (e.g. too many connections).
    case closedByDaemon(String)
    /// The connection is open but the call got no answer in time: the daemon is stopped or stuck.
    case noAnswer(path: String, method: String, after: Duration)

    public var description: String {
        switch self {
        case .cannotConnect(let path, let reason):
            return "cannot connect to orkestrond at \(path): \(reason) (is it running? try: systemctl status orkestrond)"
        case .connectionClosed:
            return "the daemon closed the connection"
        case .closedByDaemon(let reason):
            return "the daemon closed the connection: \(reason)"
        case .noAnswer(let path, let method, let after):
            return "no answer to \(method) from orkestrond at \(path) within \(after.components.seconds) s "
                + "(is it stopped or stuck? try: systemctl status orkestrond)"
        }
    }

    static func describe(connectError error: any Error, path: String) -> String {
        if !FileManager.default.fileExists(atPath: path) { return "the socket does not exist" }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNREFUSED: return "connection refused (the daemon is not listening)"
            case EACCES: return "permission denied"
            case ENOENT: return "the socket does not exist"
            default: return String(cString: strerror(ioError.errnoCode))
            }
        }
        return "\(error)"
    }
}
