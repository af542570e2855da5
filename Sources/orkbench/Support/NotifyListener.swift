import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The benchmark standing in for systemd: an `AF_UNIX` datagram socket whose path goes in the daemon's
/// `NOTIFY_SOCKET`. Each datagram is kept with the `CLOCK_MONOTONIC` time it arrived, so the time from exec to
/// `READY=1` is measured on one clock by one process.
final class NotifyListener: Sendable {
    struct Datagram: Sendable {
        let receivedAtUs: Int64
        let text: String
    }

    let path: String
    private let descriptor: Int32
    private let received = Mutex<[Datagram]>([])
    private let stopped = Atomic(false)
    private let finished = Atomic(false)

    init(path: String) throws {
        self.path = path
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
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
        guard bound == 0 else { throw BenchError("bind \(path): \(String(cString: strerror(errno)))") }
        // recv returns every 50 ms so `close()` is prompt; a plain thread, as recv blocks.
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in self.receiveLoop() }
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.load(ordering: .acquiring) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                let datagram = Datagram(
                    receivedAtUs: BenchClock.monotonicMicroseconds(),
                    text: String(decoding: buffer[0..<count], as: UTF8.self))
                received.withLock { $0.append(datagram) }
            }
        }
        finished.store(true, ordering: .releasing)
    }

    var datagrams: [Datagram] { received.withLock { $0 } }

    func close() {
        stopped.store(true, ordering: .releasing)
        while !finished.load(ordering: .acquiring) { usleep(5_000) }
        Glibc.close(descriptor)
        unlink(path)
    }
}
