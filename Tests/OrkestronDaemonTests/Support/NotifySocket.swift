import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A test standing in for the service manager: an `AF_UNIX` datagram socket whose path goes in the daemon's
/// `NOTIFY_SOCKET`; every datagram sd_notify sends is collected, with the time it arrived.
final class NotifySocket: Sendable {
    struct Message: Sendable, CustomStringConvertible {
        let at: ContinuousClock.Instant
        let text: String
        var description: String { text.replacingOccurrences(of: "\n", with: "|") }
        /// `KEY=value` assignments of the datagram.
        var assignments: [String: String] {
            Dictionary(text.split(separator: "\n").compactMap { line in
                line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
            }) { $1 }
        }
    }

    private final class Storage: Sendable {
        let received = Mutex<[Message]>([])
        let stopped = Atomic(false)
        let finished = Atomic(false)
    }

    let path: String
    private let descriptor: Int32
    private let storage = Storage()

    init(path: String) throws {
        self.path = path
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        self.descriptor = descriptor
        guard descriptor >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw HarnessError("bind \(path): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // A plain thread, not a task: recv blocks (100 ms at a time), which the cooperative pool must not.
        let storage = self.storage
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !storage.stopped.load(ordering: .acquiring) {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count > 0 {
                    let message = Message(at: .now, text: String(decoding: buffer[0..<count], as: UTF8.self))
                    storage.received.withLock { $0.append(message) }
                }
            }
            storage.finished.store(true, ordering: .releasing)
        }
    }

    /// A notify socket in a fresh private folder, which `close()` removes.
    static func temporary() throws -> NotifySocket {
        let directory = NSTemporaryDirectory() + "orkd-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try NotifySocket(path: directory + "/notify")
    }

    var messages: [Message] { storage.received.withLock { $0 } }

    /// Waits until a datagram satisfying `matches` arrived after the first `after` messages; returns its index.
    @discardableResult
    func waitFor(
        _ what: String, after: Int = 0, timeout: Duration = .seconds(15), _ matches: @escaping (Message) -> Bool
    ) async throws -> Int {
        try await eventually("\(what) on the notify socket (got: \(messages))", timeout: timeout) {
            let all = self.messages
            return all.indices.first { $0 >= after && matches(all[$0]) }
        }
    }

    func close() {
        storage.stopped.store(true, ordering: .releasing)
        while !storage.finished.load(ordering: .acquiring) { usleep(10_000) }
        Glibc.close(descriptor)
        unlink(path)
        rmdir((path as NSString).deletingLastPathComponent)
    }
}
