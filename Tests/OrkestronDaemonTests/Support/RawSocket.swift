import Foundation
import OrkestronProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare AF_UNIX stream socket for sending arbitrary bytes (malformed JSON, invalid UTF-8, over-long lines) and
/// reading the daemon's answers line by line.
///
/// Non-blocking: reads and writes wait with `Task.sleep`, so a test never blocks a cooperative thread.
final class RawSocket {
    private var fd: Int32
    /// Received bytes not yet returned as lines start at `consumed`; kept this way (and searched with memchr)
    /// because removing each line from the front is quadratic, which a debug build makes crawl for the
    /// thousands of lines a subscriber test reads.
    private var pending: [UInt8] = []
    private var consumed = 0
    /// The peer closed the connection (recv returned 0, or the connection was reset).
    private(set) var peerClosed = false

    init(path: String) throws {
        fd = try Self.connect(path: path)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Whether something accepts connections at `path` now.
    static func canConnect(path: String) -> Bool {
        guard let fd = try? connect(path: path) else { return false }
        Glibc.close(fd)
        return true
    }

    private static func connect(path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            Glibc.close(fd)
            throw HarnessError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw HarnessError("connect(\(path)): \(reason)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    // MARK: - Writing

    /// Sends every byte; returns false when the peer closed the connection before all were sent.
    @discardableResult
    func send(_ bytes: [UInt8], timeout: Duration = .seconds(10)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                offset += sent
                continue
            }
            let error = errno
            if sent < 0 && (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) {
                guard clock.now < deadline else { throw HarnessError("send timed out after \(offset) bytes") }
                try await Task.sleep(for: .milliseconds(1))
                continue
            }
            if error == EPIPE || error == ECONNRESET { return false }
            throw HarnessError("send(): \(String(cString: strerror(error)))")
        }
        return true
    }

    /// Shuts down the sending side (a half-close): the daemon sees the end of input and may still answer.
    func shutdownWrite() throws {
        guard Glibc.shutdown(fd, Int32(SHUT_WR)) == 0 else {
            throw HarnessError("shutdown(SHUT_WR): \(String(cString: strerror(errno)))")
        }
    }

    /// Sends one line: `text` and a `\n`.
    func send(line text: String) async throws {
        try await send(Array(text.utf8) + [0x0A])
    }

    /// Sends raw bytes followed by `\n`.
    func send(lineBytes bytes: [UInt8]) async throws {
        try await send(bytes + [0x0A])
    }

    // MARK: - Reading

    /// The next line without its `\n`, or nil when the peer closed the connection first. Throws on timeout.
    func readLine(timeout: Duration = .seconds(10)) async throws -> [UInt8]? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let line = takeLine() { return line }
            if peerClosed { return nil }
            if try fill() { continue }
            guard clock.now < deadline else { throw HarnessError("no line from the daemon within \(timeout)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// A whole line that has arrived by now, without waiting; nil when there is none (yet).
    func availableLine() throws -> [UInt8]? {
        while try fill() && !peerClosed {}
        return takeLine()
    }

    /// The first whole line in `pending`, removed from it.
    private func takeLine() -> [UInt8]? {
        let newline = pending.withUnsafeBytes { raw -> Int? in
            guard consumed < raw.count, let base = raw.baseAddress,
                let found = memchr(base + consumed, 0x0A, raw.count - consumed)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        guard let newline else { return nil }
        let line = Array(pending[consumed..<newline])
        consumed = newline + 1
        if consumed == pending.count {
            pending.removeAll(keepingCapacity: true)
            consumed = 0
        } else if consumed > 1 << 16 {
            pending.removeFirst(consumed)
            consumed = 0
        }
        return line
    }

    /// The next line parsed as JSON; throws when the peer closed or it is not JSON.
    func readJSON(timeout: Duration = .seconds(10)) async throws -> JSONValue {
        guard let line = try await readLine(timeout: timeout) else {
            throw HarnessError("the daemon closed the connection instead of answering")
        }
        do {
            return try JSONValue.parse(Data(line))
        } catch {
            throw HarnessError("the daemon sent a line that is not JSON: \(String(decoding: line, as: UTF8.self))")
        }
    }

    /// Sends a request line and reads the next line as its answer.
    func request(_ line: String, timeout: Duration = .seconds(10)) async throws -> JSONValue {
        try await send(line: line)
        return try await readJSON(timeout: timeout)
    }

    /// Waits until the peer closes the connection, discarding what arrives; false on timeout.
    func waitForClose(timeout: Duration = .seconds(10)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !peerClosed {
            if try fill() {
                pending.removeAll()
                consumed = 0
                continue
            }
            guard clock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Reads what is available now; true when bytes arrived or the peer closed.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
        if count > 0 {
            pending.append(contentsOf: chunk[..<count])
            return true
        }
        if count == 0 {
            peerClosed = true
            return true
        }
        let error = errno
        if error == EAGAIN || error == EWOULDBLOCK || error == EINTR { return false }
        if error == ECONNRESET || error == EPIPE {
            peerClosed = true
            return true
        }
        throw HarnessError("recv(): \(String(cString: strerror(error)))")
    }
}
