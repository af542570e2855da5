import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One event subscriber on the daemon's control socket that stamps every event line with the wall-clock time
/// its bytes came out of `read(2)`.
///
/// It is a plain blocking socket on a thread of its own, not the async client: the receive time must be taken
/// where the bytes arrive, before any hop between threads, or the benchmark would measure its own scheduling.
/// Lines are scanned for the few fields needed (no JSON decoding) so a hundred taps keep up with the daemon.
final class EventTap: Sendable {
    /// One received event: when it arrived, the event's own `time`, its `slot` (when it has one) and status.
    struct Sample: Sendable {
        var receivedUs: Int64
        var timeMs: Int64
        var slotMs: Int64?
        var status: String
    }

    private let descriptor: Int32
    private let samples = Mutex<[Sample]>([])
    private let finished = Atomic(false)

    /// Connects and subscribes (`params` is the JSON of `events.subscribe`'s params); returns once the daemon
    /// answered, so no live event is missed after that.
    init(socketPath: String, params: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in socketPath.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let descriptor = self.descriptor
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw BenchError("connect \(socketPath): \(String(cString: strerror(errno)))") }
        let request = Array("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events.subscribe\",\"params\":\(params)}\n".utf8)
        guard write(descriptor, request, request.count) == request.count else { throw BenchError("write failed") }
        // The answer comes first on the connection; read byte by byte up to its newline.
        var byte: UInt8 = 0
        var answer: [UInt8] = []
        while read(descriptor, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { break }
            answer.append(byte)
        }
        guard String(decoding: answer, as: UTF8.self).contains("\"subscribed\":true") else {
            throw BenchError("events.subscribe failed: \(String(decoding: answer, as: UTF8.self))")
        }
        Thread.detachNewThread { [self] in self.readLoop() }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var partial: [UInt8] = []
        var local: [Sample] = []
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            let receivedUs = BenchClock.wallMicroseconds()
            var start = 0
            for index in 0..<count where buffer[index] == UInt8(ascii: "\n") {
                if partial.isEmpty {
                    buffer.withUnsafeBufferPointer { line in
                        Self.parse(UnsafeBufferPointer(rebasing: line[start..<index]), at: receivedUs, into: &local)
                    }
                } else {
                    partial.append(contentsOf: buffer[start..<index])
                    partial.withUnsafeBufferPointer { Self.parse($0, at: receivedUs, into: &local) }
                    partial.removeAll(keepingCapacity: true)
                }
                start = index + 1
            }
            if start < count { partial.append(contentsOf: buffer[start..<count]) }
            if local.count >= 1_024 {
                samples.withLock { $0.append(contentsOf: local) }
                local.removeAll(keepingCapacity: true)
            }
        }
        samples.withLock { $0.append(contentsOf: local) }
        finished.store(true, ordering: .releasing)
    }

    private static func parse(_ line: UnsafeBufferPointer<UInt8>, at receivedUs: Int64, into samples: inout [Sample]) {
        guard let time = value(after: "\"time\":\"", in: line).flatMap(isoMilliseconds) else { return }
        let slot = value(after: "\"slot\":\"", in: line).flatMap(isoMilliseconds)
        let status = value(after: "\"status\":\"", in: line).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        samples.append(Sample(receivedUs: receivedUs, timeMs: time, slotMs: slot, status: status))
    }

    /// The bytes of a string value after `key` (up to the closing quote).
    private static func value(after key: StaticString, in line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let pattern = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        guard line.count >= pattern.count else { return nil }
        var index = 0
        while index + pattern.count <= line.count {
            if line[index] == pattern[0] && memcmp(line.baseAddress! + index, pattern.baseAddress!, pattern.count) == 0 {
                let start = index + pattern.count
                var end = start
                while end < line.count && line[end] != UInt8(ascii: "\"") { end += 1 }
                return UnsafeBufferPointer(rebasing: line[start..<end])
            }
            index += 1
        }
        return nil
    }

    /// `2026-11-29T08:00:01.842Z` → milliseconds since the epoch (UTC; the daemon writes no other form).
    static func isoMilliseconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text.count == 24 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int64 {
            var value: Int64 = 0
            for index in from..<(from + length) { value = value * 10 + Int64(text[index] &- 48) }
            return value
        }
        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        // Days from the civil date (Howard Hinnant's algorithm).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + number(11, 2) * 3_600 + number(14, 2) * 60 + number(17, 2)
        return seconds * 1_000 + number(20, 3)
    }

    /// Closes the connection and returns everything received.
    func finish() -> [Sample] {
        shutdown(descriptor, Int32(SHUT_RDWR))
        while !finished.load(ordering: .acquiring) { usleep(1_000) }
        close(descriptor)
        return samples.withLock { $0 }
    }
}
