import OrkestronCore

extension ConfigResolver {
    static let daemonKeys = ConfigKeys.daemon

    /// `sun_path` holds 108 bytes including the terminating NUL.
    static let maxSocketPathBytes = 107

    /// Reads one file's `[daemon]` table over the values of the files before it.
    mutating func readDaemon(_ view: TableView) {
        checkKeys(view, allowed: Self.daemonKeys)
        if let socket = string("socket", in: view) {
            if socket.utf8.count > Self.maxSocketPathBytes {
                report(
                    "socket path is \(socket.utf8.count) bytes long; a Unix socket path may have at most "
                        + "\(Self.maxSocketPathBytes)", file: view.file, path: view.path(of: "socket"))
            } else {
                daemon.socket = socket
            }
        }
        if let mode = socketMode(in: view) { daemon.socketMode = mode }
        if let group = string("control_group", in: view) { daemon.controlGroup = group }
        if let stateDir = string("state_dir", in: view) { daemon.stateDir = stateDir }
        if let limit = integer("max_concurrency", in: view, atLeast: 1) { daemon.maxConcurrency = limit }
        if let zone = timeZone("timezone", in: view) { daemon.timezone = zone }
        if let seed = integer("seed", in: view, atLeast: 0) { daemon.seed = UInt64(seed) }
        if let retention = duration("history_retention", in: view, .positive) {
            daemon.historyRetentionMs = retention
        }
        if let grace = duration("shutdown_grace", in: view, .nonNegative) { daemon.shutdownGraceMs = grace }
    }

    /// `"0660"`, `"660"` or `"0o660"`: permission bits in octal, at most `0777`.
    ///
    /// TOML integers are not accepted: `socket_mode = 660` is decimal and would silently mean `0o1224`.
    private mutating func socketMode(in view: TableView) -> UInt32? {
        guard let node = view["socket_mode"] else { return nil }
        let path = view.path(of: "socket_mode")
        guard case .string(let text) = node else {
            report(
                "expected an octal string like \"0660\" for \"socket_mode\", found \(node.kindDescription)",
                file: view.file, path: path)
            return nil
        }
        let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
        guard !digits.isEmpty, digits.count <= 4, let mode = UInt32(digits, radix: 8), mode <= 0o777 else {
            report(
                "expected an octal mode between \"0000\" and \"0777\" for \"socket_mode\", found \"\(text)\"",
                file: view.file, path: path)
            return nil
        }
        return mode
    }

    /// SPEC §8: a `control_group` that does not exist is a warning, and the daemon treats it as absent.
    mutating func checkControlGroup() {
        guard let group = daemon.controlGroup, !environment.groupExists(group) else { return }
        // Point at the file that set the value last.
        guard
            let file = files.indices.last(where: { index in
                if case .table(let daemon)? = files[index].root?["daemon"], daemon["control_group"] != nil {
                    return true
                }
                return false
            })
        else { return }
        warn(
            "control group \"\(group)\" does not exist; only root and the daemon's own user may call mutating "
                + "methods", file: file, path: ConfigPath("daemon", "control_group"), anchor: .value)
    }
}
