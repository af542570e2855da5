import Histogram

/// What the clients saw during the loaded phase: answers and their latency per request kind, and every error.
///
/// Confined to the event loop that runs the clients (they all record into one tally, without locks); the
/// command reads it back as a `LoadResult` once the clients have stopped.
final class LoadTally {
    /// Why a request or connection counts as an error.
    enum ErrorKind: String, CaseIterable, Sendable, Codable {
        /// A JSON-RPC error response with a code the request does not expect.
        case rpcError
        /// No answer within the timeout.
        case timeout
        /// The connection could not be made (refused, limit reached…).
        case connectFailed
        /// The daemon closed the connection, or it failed, while the client was still using it.
        case connectionDropped
        /// A line that is not a response, notification or error the protocol describes.
        case unrecognizedLine
        /// A response whose id is not the one the client waited for.
        case unexpectedResponse
        /// `events.dropped`: a subscriber's queue overflowed, so events went missing.
        case eventsDropped
    }

    private var latencyByKind: [RequestKind: Histogram<UInt64>] = [:]
    private var all = Percentiles.histogram(highest: 120_000_000)
    private(set) var answeredByKind: [RequestKind: Int] = [:]
    private(set) var errors: [ErrorKind: Int] = [:]
    /// Error responses by code, and a few of their lines, to say what went wrong.
    private(set) var errorCodes: [Int64: Int] = [:]
    private(set) var errorSamples: [String] = []
    private(set) var eventsReceived = 0
    private(set) var eventsDropped = 0
    /// Answers that came after their request had already been counted as timed out.
    private(set) var lateAnswers = 0
    private(set) var connected = 0

    func answered(_ kind: RequestKind, latencyMicroseconds: UInt64) {
        let value = min(latencyMicroseconds, 120_000_000)
        latencyByKind[kind, default: Percentiles.histogram(highest: 120_000_000)].record(value)
        all.record(value)
        answeredByKind[kind, default: 0] += 1
    }

    func failed(_ kind: ErrorKind, detail: String) {
        errors[kind, default: 0] += 1
        if errorSamples.count < 20 { errorSamples.append("\(kind.rawValue): \(detail)") }
    }

    func rpcError(code: Int64, request: RequestKind, line: String) {
        errorCodes[code, default: 0] += 1
        failed(.rpcError, detail: "\(request.rawValue) → \(line.prefix(300))")
    }

    func received(events: Int) { eventsReceived += events }

    func dropped(events: Int) {
        eventsDropped += events
        failed(.eventsDropped, detail: "\(events) events")
    }

    func lateAnswer() { lateAnswers += 1 }

    func connectionOpened() { connected += 1 }

    var result: LoadResult {
        LoadResult(
            requests: answeredByKind.values.reduce(0, +),
            latencyMs: Percentiles(all, scale: 1_000),
            byKind: Dictionary(uniqueKeysWithValues: latencyByKind.map { kind, histogram in
                (kind.rawValue, Percentiles(histogram, scale: 1_000))
            }),
            errors: Dictionary(uniqueKeysWithValues: errors.map { ($0.key.rawValue, $0.value) }),
            errorCodes: Dictionary(uniqueKeysWithValues: errorCodes.map { (String($0.key), $0.value) }),
            errorSamples: errorSamples, eventsReceived: eventsReceived, eventsDropped: eventsDropped,
            lateAnswers: lateAnswers, connected: connected)
    }
}

/// The clients' side of the loaded phase, as reported.
struct LoadResult: Sendable, Codable {
    /// Requests answered without error.
    var requests: Int
    var latencyMs: Percentiles
    var byKind: [String: Percentiles]
    var errors: [String: Int]
    var errorCodes: [String: Int]
    var errorSamples: [String]
    /// Events the subscribing clients received (replays included).
    var eventsReceived: Int
    var eventsDropped: Int
    var lateAnswers: Int
    /// Connections that were established.
    var connected: Int

    var errorCount: Int { errors.values.reduce(0, +) }
}
