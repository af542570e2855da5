import CMalloc
import Foundation
import Logging
import OrkestronConfig
import OrkestronCore
import OrkestronProtocol
import OrkestronStore
import OrkestronSystemd
import ServiceLifecycle
import UnixSignals

/// Assembles and runs `orkestrond`: store, writer, supervisor, engine driver and control socket, in one
/// `ServiceGroup` that stops gracefully on SIGTERM and SIGINT (in reverse order: socket, engine, processes,
/// writer) and reloads on SIGHUP.
public struct Daemon {
    public struct Options: Sendable {
        public var configPath: String
        public var socketPath: String?
        public var stateDirectory: String?
        public var version: String

        public init(configPath: String, socketPath: String?, stateDirectory: String?, version: String) {
            self.configPath = configPath
            self.socketPath = socketPath
            self.stateDirectory = stateDirectory
            self.version = version
        }
    }

    let options: Options
    var configuration: Configuration
    let logger: Logger

    public init(options: Options, configuration: Configuration, logger: Logger) {
        self.options = options
        self.configuration = configuration
        self.logger = logger
    }

    public static let defaultStateDirectory = "/var/lib/orkestron"

    /// Blocks of this size and more are mapped on their own and unmapped when freed (`CMalloc`).
    ///
    /// The big ones are transient: the answers about every job (all-job metrics: 1.7 MB of JSON for 1,000 jobs;
    /// the full job listing) and their buffers. Left to glibc's dynamic threshold, they move into the heap arenas
    /// after the first one is freed, and each new peak of them leaves the arenas' resident size higher for good. In the soak
    /// (`orkbench soak`, 200 clients) that made the resident size creep 70 → 79 MiB over a minute with the live
    /// heap flat at 53–56 MiB; with the threshold fixed, the arenas stayed at 65–75 MiB and came back down.
    static let largeAllocationBytes = 256 * 1024

    public mutating func run() async throws {
        // A write to a closed pipe (stderr read by a process that went away, a client that hung up) is an EPIPE
        // error to handle where it happens, not a reason to die. Job processes get the default back at exec.
        signal(SIGPIPE, SIG_IGN)
        if orkestron_fix_mmap_threshold(Self.largeAllocationBytes) != 1 {
            logger.warning("glibc refused M_MMAP_THRESHOLD \(Self.largeAllocationBytes): freed large blocks may stay resident")
        }
        for warning in configuration.warnings { logger.warning("\(warning.description)") }
        let stateDirectory =
            options.stateDirectory ?? configuration.daemon.stateDir
            ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? Self.defaultStateDirectory
        try Self.prepare(stateDirectory: stateDirectory)
        let listener: ControlServer.Listener
        if let descriptor = try SocketActivation.unixListener() {
            // systemd's socket wins over --socket and [daemon].socket: it is where clients were told to connect.
            listener = .activated(
                descriptor: descriptor, path: SocketActivation.path(of: descriptor) ?? "fd \(descriptor)")
        } else {
            listener = .path(
                options.socketPath ?? configuration.daemon.socket ?? ProtocolInfo.defaultSocketPath,
                mode: configuration.daemon.socketMode)
        }
        let notifier = SystemdNotifier()
        let readiness = Readiness(notifier: notifier)

        let store = try Store(path: stateDirectory + "/orkestron.db")
        let restore = try store.loadRestore()
        let instance = try Self.instanceID(store: store)
        try await Self.endOrphans(
            store: store, restore: restore, instance: instance, configuration: configuration, logger: logger)
        configuration.engineSettings.seed = try Self.seed(configuration: configuration, store: store, logger: logger)
        try store.saveDefinitions(configuration.jobs.map(StoredDefinition.init(definition:)))
        let pruned = (try? store.prune(before: WallClock.now() - configuration.daemon.historyRetentionMs)) ?? 0

        var controlGroup: gid_t?
        if let name = configuration.daemon.controlGroup {
            // A missing group counts as absent; the configuration loader has already warned about it.
            controlGroup = PeerCredentials.groupID(named: name)
        }

        let writer = StoreWriter(store: store, logger: logger)
        let supervisor = ProcessSupervisor(instance: instance, writer: writer, logger: logger)
        let driver = EngineDriver(
            configuration: configuration, configPath: options.configPath, restore: restore, writer: writer,
            supervisor: supervisor, notifier: notifier, readiness: readiness, logger: logger)
        let descriptors = FileDescriptorLimit.raise()
        let limits = FileDescriptorLimit.connectionLimits(softLimit: descriptors)
        if limits.total < ConnectionLimiter.Limits.defaultTotal {
            logger.warning(
                "the open-file limit leaves room for fewer control connections than the default",
                metadata: ["nofile": "\(descriptors)", "max_connections": "\(limits.total)"])
        }
        let limiter = ConnectionLimiter(limits: limits)
        let handler = RPCHandler(
            driver: driver, writer: writer, store: store, version: options.version, controlGroup: controlGroup,
            connections: limiter, logger: logger)
        let server = ControlServer(
            listener: listener, handler: handler, limiter: limiter, logger: logger,
            onListening: { readiness.socketListening() })
        let reloader = ReloadOnHangup(driver: driver, store: store, logger: logger)
        let maintenance = HistoryPruner(store: store, retentionMs: configuration.daemon.historyRetentionMs, logger: logger)

        logger.info(
            "orkestrond starting",
            metadata: [
                "version": "\(options.version)", "config": "\(configuration.files.joined(separator: ","))",
                "state_dir": "\(stateDirectory)", "jobs": "\(configuration.jobs.count)",
                "seed": "\(configuration.engineSettings.seed)", "restored_runs": "\(restore.activeRuns.count)",
                "pruned": "\(pruned)",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: writer), .init(service: supervisor), .init(service: driver),
                    .init(service: maintenance), .init(service: reloader), .init(service: UnusedSignals(logger: logger)),
                    .init(service: server),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("orkestrond stopped")
    }

    /// Creates the state directory (mode 0750) when it is missing, and checks that the daemon may write in it,
    /// so a read-only or foreign-owned folder is one clear error at start rather than an SQLite one.
    static func prepare(stateDirectory path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DaemonError.state(path: path, reason: "exists but is not a directory") }
        } else {
            // FileManager sets the mode after mkdir, so the umask cannot narrow or widen 0750 (SPEC §8).
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            } catch {
                throw DaemonError.state(path: path, reason: "cannot create it: \(Self.cause(of: error))")
            }
        }
        guard access(path, R_OK | W_OK | X_OK) == 0 else {
            let code = errno
            switch code {
            case EROFS:
                throw DaemonError.state(path: path, reason: "is on a read-only file system; the daemon must write its database there")
            case EACCES, EPERM:
                var info = stat()
                stat(path, &info)
                let mode = String(info.st_mode & 0o7777, radix: 8)
                throw DaemonError.state(
                    path: path,
                    reason: "is not writable by uid \(getuid()) (owner uid \(info.st_uid), mode 0\(mode)); "
                        + "the daemon must write its database there")
            default:
                throw DaemonError.state(path: path, reason: String(cString: strerror(code)))
            }
        }
    }

    /// Ends the job processes a killed daemon left running, before the engine is created: attempts that were
    /// running when the daemon died become INTERRUPTED (and are retried per policy), so their processes must not
    /// live on beside the retries, nor hold a slot the engine believes free.
    static func endOrphans(
        store: Store, restore: EngineRestore, instance: String, configuration: Configuration, logger: Logger
    ) async throws {
        let records = try store.processGroups()
        var interrupted: [String: String] = [:]
        for run in restore.activeRuns where run.phase == .running { interrupted[run.runId] = run.jobId }
        guard !records.isEmpty || !interrupted.isEmpty else { return }
        let reaper = OrphanReaper(
            instance: instance,
            graceMs: Dictionary(configuration.jobs.map { ($0.id, $0.killGraceMs) }, uniquingKeysWith: { $1 }),
            defaultGraceMs: OrphanReaper.maximumGraceMs, logger: logger)
        let report = await reaper.reap(records: records, interruptedRuns: interrupted)
        // Every record belongs to the dead daemon: this one has started nothing yet.
        try store.clearProcessGroups(records)
        logger.info(
            "checked for processes left by a killed daemon",
            metadata: [
                "recorded_groups": "\(records.count)", "interrupted_runs": "\(interrupted.count)",
                "groups_ended": "\(report.groupsEnded)", "processes_ended": "\(report.processesEnded)",
                "killed_after_grace": "\(report.killedAfterGrace)", "spared_recycled": "\(report.spared)",
                "survivors": "\(report.survivors)",
            ])
    }

    private static func cause(of error: any Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }

    /// A random id drawn at the first start and kept in the store: it marks this instance's child processes.
    static func instanceID(store: Store) throws -> String {
        if let stored = try store.meta("instance") { return stored }
        let instance = UUID().uuidString.lowercased()
        try store.setMeta("instance", instance)
        return instance
    }

    /// The failure-simulation seed: from the configuration, else the one drawn at the first start (kept so
    /// restarts do not change the simulation), else a fresh random one.
    static func seed(configuration: Configuration, store: Store, logger: Logger) throws -> UInt64 {
        if let seed = configuration.daemon.seed { return seed }
        if let stored = try store.meta("seed"), let seed = UInt64(stored) { return seed }
        let seed = UInt64.random(in: 0...UInt64.max)
        try store.setMeta("seed", String(seed))
        logger.info("no seed configured; drew a random one", metadata: ["seed": "\(seed)"])
        return seed
    }
}

/// Reloads the configuration on SIGHUP; a broken file keeps the running configuration (the driver logs why).
struct ReloadOnHangup: Service {
    let driver: EngineDriver
    let store: Store
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading the configuration")
            _ = try? await driver.reload(store: store)
        }
    }
}

/// Prunes runs and events older than `history_retention`, hourly.
struct HistoryPruner: Service {
    let store: Store
    let retentionMs: Int64
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
            } catch {
                return
            }
            let deleted = (try? store.prune(before: WallClock.now() - retentionMs)) ?? 0
            if deleted > 0 { logger.info("pruned history", metadata: ["rows": "\(deleted)"]) }
        }
    }
}
