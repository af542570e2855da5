import Foundation

/// A blocking Unix stream socket speaking newline-delimited lines, on Glibc directly: the measuring client must
/// cost as little CPU as redis-benchmark's C loop, since both compete with the server for the same two cores.
///
/// `call` writes one line and reads until the answer's `\n`; no allocation per call beyond the returned
/// count (`roundTrip` allocates nothing at all).
final class LineSocket {
    private let descriptor: Int32
    private var buffer: [UInt8] = Array(repeating: 0, count: 1 << 20)
    /// Bytes after the last returned line (a notification that came with an answer).
    private var start = 0
    private var end = 0

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw BenchError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw BenchError("connect \(path): \(reason)")
        }
    }

    func close() {
        Glibc.close(descriptor)
    }

    /// Writes every byte of `bytes`.
    func send(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw BenchError("write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads until the next `\n` and returns the line's length (without it); the line is `lastLine`.
    func readLine() throws -> Int {
        while true {
            if let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - start
                lineRange = start..<newline
                start = newline + 1
                return length
            }
            if start > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
                }
                end -= start
                start = 0
            }
            guard end < buffer.count else { throw BenchError("line longer than 1 MiB") }
            let count = buffer.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress! + end, raw.count - end)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError("read: \(String(cString: strerror(errno)))")
            }
            guard count > 0 else { throw BenchError("connection closed by the daemon") }
            end += count
        }
    }

    private var lineRange = 0..<0

    /// The line `readLine` returned last, as text.
    var lastLine: String {
        String(decoding: buffer[lineRange], as: UTF8.self)
    }

    /// One request line and its answer, as text.
    func call(_ line: String) throws -> String {
        try Array((line + "\n").utf8).withUnsafeBytes { try send($0) }
        _ = try readLine()
        return lastLine
    }
}
