import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throw-away system group (the daemon's `control_group`) and two users, one outside it and one in it as a
/// supplementary group, created with `groupadd`/`useradd` and always removed afterwards, also when the body
/// fails. Commands run as either user through `setpriv`, with exactly that user's credentials.
final class TemporaryAccounts: Sendable {
    struct Account: Sendable, CustomStringConvertible {
        let name: String
        let uid: UInt32
        let gid: UInt32
        /// Whether the account's processes get its supplementary groups (`--init-groups`) or none.
        let inControlGroup: Bool

        var description: String { "\(name) (uid \(uid))" }
    }

    let group: String
    let groupID: UInt32
    let outsider: Account
    let member: Account

    private init(group: String, groupID: UInt32, outsider: Account, member: Account) {
        self.group = group
        self.groupID = groupID
        self.outsider = outsider
        self.member = member
    }

    private static let tools = ["/usr/sbin/groupadd", "/usr/sbin/groupdel", "/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/bin/setpriv"]

    /// Why accounts cannot be made here, or nil when they can.
    static func unavailableReason() -> String? {
        guard getuid() == 0 else { return "creating users needs root (CI runs as root); running as uid \(getuid())" }
        if let missing = tools.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) {
            return "\(missing) is not installed"
        }
        return nil
    }

    /// Creates the group and the users, runs `body`, and removes them whatever happened.
    static func with<Result: Sendable>(_ body: (TemporaryAccounts) async throws -> Result) async throws -> Result {
        // Short and unique: user names are limited to 32 characters, and parallel runs must not collide.
        let stem = "orkauth\(UInt32.random(in: 0..<1_000_000))"
        let group = stem + "g"
        let names = (outsider: stem + "o", member: stem + "m")
        var made: (group: Bool, users: [String]) = (false, [])
        do {
            try await must(["/usr/sbin/groupadd", "--system", group])
            made.group = true
            let shell = ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group"]
            try await must(["/usr/sbin/useradd"] + shell + [names.outsider])
            made.users.append(names.outsider)
            try await must(["/usr/sbin/useradd"] + shell + ["--groups", group, names.member])
            made.users.append(names.member)
            guard let groupID = groupID(named: group) else { throw HarnessError("groupadd made no group \(group)") }
            let accounts = TemporaryAccounts(
                group: group, groupID: groupID, outsider: try account(names.outsider, inControlGroup: false),
                member: try account(names.member, inControlGroup: true))
            let result = try await body(accounts)
            await remove(users: made.users, group: group)
            return result
        } catch {
            await remove(users: made.users, group: made.group ? group : nil)
            throw error
        }
    }

    /// Runs `command` as `account`: its uid and primary group, with its supplementary groups from the user
    /// database (the control group for the member) or with none.
    func run(_ command: [String], as account: Account, timeout: Duration = .seconds(30)) async throws -> CommandOutcome {
        let groups = account.inControlGroup ? "--init-groups" : "--clear-groups"
        return try await CommandRunner.run(
            ["/usr/bin/setpriv", "--reuid=\(account.uid)", "--regid=\(account.gid)", groups, "--"] + command,
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"], timeout: timeout)
    }

    /// `path` when every user can reach and run it; else a copy in `directory` (which must be reachable).
    /// The build folder may sit under a private home directory.
    static func executable(_ path: String, reachableFrom directory: String) throws -> String {
        var ancestors: [String] = []
        var current = (path as NSString).deletingLastPathComponent
        while !current.isEmpty && current != "/" {
            ancestors.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        let reachable = ancestors.allSatisfy { mode(of: $0).map { $0 & 0o001 != 0 } ?? false }
            && (mode(of: path).map { $0 & 0o005 == 0o005 } ?? false)
        if reachable { return path }
        let copy = directory + "/" + (path as NSString).lastPathComponent
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        guard chmod(copy, 0o755) == 0 else { throw HarnessError("chmod \(copy): \(String(cString: strerror(errno)))") }
        return copy
    }

    // MARK: - Internals

    private static func mode(of path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode : nil
    }

    private static func must(_ command: [String]) async throws {
        let outcome = try await CommandRunner.run(command)
        guard outcome.succeeded else { throw HarnessError("\(outcome)") }
    }

    /// Removes what was made; a failure is reported on stdout, not thrown (cleanup must go on).
    private static func remove(users: [String], group: String?) async {
        for user in users {
            if let outcome = try? await CommandRunner.run(["/usr/sbin/userdel", user]), !outcome.succeeded {
                say("TemporaryAccounts: could not remove user \(user): \(outcome)")
            }
        }
        if let group, let outcome = try? await CommandRunner.run(["/usr/sbin/groupdel", group]), !outcome.succeeded {
            say("TemporaryAccounts: could not remove group \(group): \(outcome)")
        }
    }

    private static func account(_ name: String, inControlGroup: Bool) throws -> Account {
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &record, &buffer, buffer.count, &result) == 0, result != nil else {
            throw HarnessError("useradd made no user \(name)")
        }
        return Account(name: name, uid: record.pw_uid, gid: record.pw_gid, inControlGroup: inControlGroup)
    }

    private static func groupID(named name: String) -> UInt32? {
        var record = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(name, &record, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return record.gr_gid
    }
}
