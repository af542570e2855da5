import Foundation
import OrkestronCore
import OrkestronProtocol

/// Writes events to a file as JSON lines (`simulate --events`), in the wire form of the live stream.
///
/// A simulated day can produce millions of events, so lines are gathered in memory and written in large
/// chunks; the first write error is kept and reported by `finish`.
final class EventLineWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var failure: (any Error)?
    private static let chunk = 1 << 20

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(Self.chunk + 4_096)
    }

    func append(_ event: Event) {
        event.json.write(to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.chunk { flush() }
    }

    func finish() throws {
        flush()
        try handle.close()
        if let failure { throw failure }
    }

    private func flush() {
        guard !buffer.isEmpty, failure == nil else { return }
        do {
            try handle.write(contentsOf: Data(buffer))
        } catch {
            failure = error
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
