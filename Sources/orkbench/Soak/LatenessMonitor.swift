import Foundation
import Histogram
import NIOCore
import OrkestronCore

/// The event subscriber that measures the engine: start lateness and runs per second, per phase.
///
/// Start lateness is the `latenessMs` the daemon puts on each scheduled run's first `RUNNING` event: the
/// engine's clock when it started the attempt minus the run's planned slot. For a simulated workload that is
/// the moment the run really starts, so it is the most direct "actual start − slot" the daemon exposes, and it
/// includes every delay between the slot's timer and the start (a late wake-up of the engine's loop, a busy
/// actor). It has millisecond resolution. The time from the event to its arrival here (`deliveryMs`) is
/// recorded too, to tell a late engine from a late notification.
///
/// Runs are counted by their ending events (SUCCESS, FAILED, TIMEOUT, CANCELLED), by the second of the phase in
/// which they arrive; SKIPPED slots are counted apart (a run that should have happened and did not).
final class LatenessMonitor: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The subscription: the `soak` jobs' starts and ends only, which is all the measure needs (about half of
    /// their events), so the monitor costs the daemon and the bench little.
    static let subscribeLine =
        #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"types":["\#(SoakConfiguration.simulatedType)"],"#
        + #""statuses":["RUNNING","SUCCESS","FAILED","TIMEOUT","CANCELLED","SKIPPED"]}}"#

    private struct Phase {
        var name: String
        var startedAt: NIODeadline
        var lateness = Percentiles.histogram(highest: 600_000)
        var delivery = Percentiles.histogram(highest: 600_000)
        var runsBySecond: [Int] = []
        var skipped = 0
        var failed = 0
    }

    private var phase: Phase?
    private var context: ChannelHandlerContext?
    private(set) var subscribed = false
    private(set) var droppedEvents = 0
    private(set) var unrecognizedLines = 0
    private(set) var disconnected = false

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        var buffer = context.channel.allocator.buffer(capacity: Self.subscribeLine.utf8.count + 1)
        buffer.writeString(Self.subscribeLine + "\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disconnected = true
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        switch WireScanner.classify(line) {
        case .response(id: 1, errorCode: nil):
            subscribed = true
        case .notification("event"):
            record(line)
        case .notification("events.dropped"):
            droppedEvents += Int(WireScanner.integer("count", in: line) ?? 1)
        case .response, .notification, .unrecognized:
            unrecognizedLines += 1
        }
    }

    func close() {
        context?.close(promise: nil)
    }

    // MARK: - Phases

    func begin(phase name: String) {
        phase = Phase(name: name, startedAt: .now())
    }

    /// Ends the current phase and returns what it measured over `seconds` (the phase's planned length; a
    /// trailing partial second is left out of the per-second figures).
    func end() -> PhaseResult? {
        guard let phase else { return nil }
        self.phase = nil
        let elapsed = Double((NIODeadline.now() - phase.startedAt).nanoseconds) / 1e9
        let whole = Array(phase.runsBySecond.prefix(Int(elapsed)))
        let total = phase.runsBySecond.reduce(0, +)
        return PhaseResult(
            name: phase.name, seconds: elapsed, runs: total,
            runsPerSecond: elapsed > 0 ? Double(total) / elapsed : 0,
            runsPerSecondMin: whole.min() ?? 0, runsPerSecondMax: whole.max() ?? 0,
            failedRuns: phase.failed, skippedSlots: phase.skipped,
            latenessMs: Percentiles(phase.lateness), deliveryMs: Percentiles(phase.delivery))
    }

    private func record(_ line: ByteBuffer) {
        guard phase != nil else { return }
        let status = WireScanner.string("status", in: line)
        switch status {
        case "RUNNING":
            // Only a scheduled run's first attempt carries latenessMs (retries and manual runs have no slot).
            guard let lateness = WireScanner.integer("latenessMs", in: line) else { return }
            phase?.lateness.record(UInt64(min(max(lateness, 0), 600_000)))
            if let time = WireScanner.string("time", in: line).flatMap(Instant.init(iso8601:)) {
                let now = Int64(Date().timeIntervalSince1970 * 1_000)
                phase?.delivery.record(UInt64(min(max(now - time.millisecondsSinceEpoch, 0), 600_000)))
            }
        case "SUCCESS", "FAILED", "TIMEOUT", "CANCELLED":
            countRun()
            if status != "SUCCESS" { phase?.failed += 1 }
        case "SKIPPED":
            phase?.skipped += 1
        default:
            unrecognizedLines += 1
        }
    }

    private func countRun() {
        guard let started = phase?.startedAt else { return }
        let second = Int((NIODeadline.now() - started).nanoseconds / 1_000_000_000)
        // Mutated through the optional in place: copying the phase out would copy its histograms per event.
        while (phase?.runsBySecond.count ?? Int.max) <= second { phase?.runsBySecond.append(0) }
        phase?.runsBySecond[second] += 1
    }
}

/// What one phase measured on the engine's side.
struct PhaseResult: Sendable, Codable {
    var name: String
    var seconds: Double
    /// Runs that ended during the phase (the `soak` jobs).
    var runs: Int
    var runsPerSecond: Double
    var runsPerSecondMin: Int
    var runsPerSecondMax: Int
    var failedRuns: Int
    var skippedSlots: Int
    /// Start lateness of scheduled runs (RUNNING `latenessMs`: engine start − slot), milliseconds.
    var latenessMs: Percentiles
    /// From the RUNNING event's time to its arrival at the subscriber, milliseconds.
    var deliveryMs: Percentiles
}
