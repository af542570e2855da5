import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Listening sockets passed by systemd (sd_listen_fds(3)): `orkestrond.socket` holds the control socket while
/// the service is stopped and hands it over when a client connects.
public enum SocketActivation {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The passed listening Unix stream socket, or nil when the daemon was not socket-activated. The
    /// environment variables are cleared so job processes do not inherit them.
    public static func unixListener() throws(Failure) -> Int32? {
        let count = sd_listen_fds(1)
        guard count != 0 else { return nil }
        guard count > 0 else {
            throw Failure(description: "socket activation: sd_listen_fds failed: \(String(cString: strerror(-count)))")
        }
        guard count == 1 else {
            throw Failure(description: "socket activation: expected one socket, systemd passed \(count) (check ListenStream= in orkestrond.socket)")
        }
        let descriptor = SD_LISTEN_FDS_START
        guard sd_is_socket_unix(descriptor, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 else {
            throw Failure(description: "socket activation: descriptor \(descriptor) is not a listening Unix stream socket")
        }
        // Passed descriptors are inherited across exec; the daemon's children must not hold the listener.
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return descriptor
    }

    /// The filesystem path the passed socket is bound to, for logs and `daemon.status`.
    public static func path(of descriptor: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        return withUnsafeBytes(of: address.sun_path) { bytes in
            let path = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return path.isEmpty ? nil : path
        }
    }
}
