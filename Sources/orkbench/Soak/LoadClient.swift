import NIOCore
import OrkestronCore

/// One client of the loaded phase: its own connection, one request at a time, a random think time between them.
///
/// A channel handler on the bench's single event loop rather than a task per client: 200 clients then cost a
/// few timers and callbacks, and the bench leaves the CPU to the daemon it measures. Responses are classified
/// with `WireScanner`, never decoded. Each client draws its requests and think times from its own seeded
/// stream, so a run's request sequence is reproducible.
final class LoadClient: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How a client uses the event stream.
    enum Role {
        /// Requests only.
        case plain
        /// Subscribes to one job's and the operators' jobs' events (with a replay) at start, re-subscribes now
        /// and then, and reads its events between its requests.
        case subscriber
        /// Subscribes to every event, like `orkctl top` or `orkctl watch`, and makes requests too.
        case fullSubscriber
    }

    struct Settings {
        var jobs: Int
        /// Mean pause between an answer and the next request; each is drawn from [0.5, 1.5] × this.
        var thinkTime: TimeAmount
        var timeout: TimeAmount
    }

    private struct Outstanding {
        var id: Int64
        var kind: RequestKind
        var sentAt: NIODeadline
        var timeout: Scheduled<Void>
    }

    let role: Role
    private let settings: Settings
    private let tally: LoadTally
    private var random: SplitMix64
    private var context: ChannelHandlerContext?
    private var nextID: Int64 = 1
    private var outstanding: Outstanding?
    private var timedOut: Set<Int64> = []
    private var thinking: Scheduled<Void>?
    private var pauseNext = true
    private(set) var stopping = false
    private var closed = false

    init(role: Role, settings: Settings, tally: LoadTally, seed: UInt64) {
        self.role = role
        self.settings = settings
        self.tally = tally
        self.random = SplitMix64(seed: seed)
    }

    // MARK: - Channel events

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        tally.connectionOpened()
        switch role {
        case .plain:
            // Spread the first requests over one think time, so the clients do not start in lockstep.
            think(fraction: random.nextUnit())
        case .subscriber:
            send(.subscribe)
        case .fullSubscriber:
            send(.subscribe, line: { id in
                #"{"jsonrpc":"2.0","id":\#(id),"method":"events.subscribe","params":{"replay":50}}"#
            })
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        switch WireScanner.classify(line) {
        case .notification(let method):
            if method == "event" {
                tally.received(events: 1)
            } else if method == "events.dropped" {
                tally.dropped(events: Int(WireScanner.integer("count", in: line) ?? 1))
            } else {
                tally.failed(.unrecognizedLine, detail: String(buffer: line).prefix(200).description)
            }
        case .response(let id, let code):
            answered(id: id, errorCode: code, line: line)
        case .unrecognized:
            tally.failed(.unrecognizedLine, detail: String(buffer: line).prefix(200).description)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        thinking?.cancel()
        outstanding?.timeout.cancel()
        if !stopping {
            tally.failed(.connectionDropped, detail: "the daemon closed the connection")
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !stopping {
            tally.failed(.connectionDropped, detail: "\(error)")
        }
        stopping = true
        context.close(promise: nil)
    }

    // MARK: - Requests

    /// Stops after the request in flight, if any, has been answered (or has timed out); then closes.
    func stop() {
        stopping = true
        thinking?.cancel()
        if outstanding == nil { close() }
    }

    private func close() {
        guard !closed, let context else { return }
        closed = true
        context.close(promise: nil)
    }

    private func think(fraction: Double? = nil) {
        guard !stopping, let context else { return close() }
        let factor = fraction ?? (0.5 + random.nextUnit())
        let delay = TimeAmount.nanoseconds(Int64(Double(settings.thinkTime.nanoseconds) * factor))
        thinking = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            thinking = nil
            send(RequestKind.draw(subscribing: role == .subscriber, random: &random))
        }
    }

    private func send(_ kind: RequestKind, line build: ((Int64) -> String)? = nil) {
        guard !stopping, let context else { return close() }
        let id = nextID
        nextID += 1
        let text: String
        if let build {
            text = build(id)
        } else {
            // Each client alternates: its pauses and resumes interleave with the other clients'.
            let pause = pauseNext
            if kind == .pauseOrResume { pauseNext.toggle() }
            text = kind.line(id: id, jobs: settings.jobs, pause: pause, random: &random)
        }
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: settings.timeout) { [self] in
            guard let waiting = outstanding, waiting.id == id else { return }
            outstanding = nil
            timedOut.insert(id)
            tally.failed(.timeout, detail: "\(kind.rawValue) got no answer within \(settings.timeout.nanoseconds / 1_000_000) ms")
            if stopping { close() } else { think() }
        }
        outstanding = Outstanding(id: id, kind: kind, sentAt: .now(), timeout: timeout)
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count + 1)
        buffer.writeString(text)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func answered(id: Int64, errorCode: Int64?, line: ByteBuffer) {
        guard let waiting = outstanding, waiting.id == id else {
            if timedOut.remove(id) != nil {
                tally.lateAnswer()
            } else {
                tally.failed(.unexpectedResponse, detail: "id \(id): \(String(buffer: line).prefix(200))")
            }
            return
        }
        waiting.timeout.cancel()
        outstanding = nil
        if let errorCode, !waiting.kind.expectedErrorCodes.contains(errorCode) {
            tally.rpcError(code: errorCode, request: waiting.kind, line: String(buffer: line))
        } else {
            let elapsed = NIODeadline.now() - waiting.sentAt
            tally.answered(waiting.kind, latencyMicroseconds: UInt64(max(elapsed.nanoseconds / 1_000, 0)))
        }
        if stopping { close() } else { think() }
    }
}
