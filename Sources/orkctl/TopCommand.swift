import ArgumentParser
import Foundation
import OrkestronClient
import OrkestronCore
import OrkestronConsole
import OrkestronProtocol
import Synchronization

/// `orkctl top`: the live full-screen dashboard. State comes from one snapshot and then the event stream only;
/// the screen is redrawn at most every 100 ms when something changed, and once a second to age relative times.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "Live full-screen dashboard (↑/↓ select, p pause/resume, r run, / filter, q quit).")

    @OptionGroup var global: GlobalOptions

    /// What the main loop reacts to.
    enum Input: Sendable {
        case terminal(TerminalInput)
        case tick
        case snapshot(DashboardState)
        case event(JSONValue)
        case dropped(Int64)
        case disconnected(String)
        case message(String)
    }

    func run() async throws {
        guard Terminal.isInteractive else {
            GlobalOptions.fail("top needs a terminal (try `orkctl watch` or `orkctl status`)", code: 2)
        }
        let color = global.colors.enabled
        let socketPath = global.socketPath
        let (inputs, sink) = AsyncStream.makeStream(of: Input.self)
        let current = CurrentClient()

        Terminal.enter()
        defer { Terminal.restore() }

        let keys = Task {
            for await key in Terminal.inputs() { sink.yield(.terminal(key)) }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                sink.yield(.tick)
            }
        }
        let connection = Task { await Self.connect(socketPath: socketPath, sink: sink, current: current) }
        defer {
            keys.cancel()
            ticker.cancel()
            connection.cancel()
        }

        var loop = Loop(color: color, offset: TimeZone.current.secondsFromGMT())
        loop.draw()
        for await input in inputs {
            switch input {
            case .terminal(let key):
                guard let action = loop.handle(key) else { return }
                if let (method, id) = action {
                    let client = current.get()
                    Task {
                        guard let client else {
                            sink.yield(.message("not connected"))
                            return
                        }
                        do {
                            _ = try await client.call(method, method == "jobs.run" ? .object([("id", .string(id))]) : .object([("ids", .array([.string(id)]))]))
                            sink.yield(.message("\(method.dropFirst(5)) \(id): ok"))
                        } catch let error as RPCError {
                            sink.yield(.message("\(method.dropFirst(5)) \(id): \(error.message)"))
                        } catch {
                            sink.yield(.message("\(method.dropFirst(5)) \(id): \(error)"))
                        }
                    }
                }
                loop.draw()
            case .tick:
                loop.tick()
            case .snapshot(var state):
                state.carryOver(from: loop.state)
                loop.state = state
                loop.connection = .connected
                loop.dirty = true
            case .event(let params):
                loop.state.apply(json: params)
                loop.dirty = true
            case .dropped(let count):
                loop.state.droppedEvents += count
                loop.dirty = true
            case .disconnected(let reason):
                if loop.connection != .disconnected(reason) {
                    loop.connection = .disconnected(reason)
                    loop.dirty = true
                }
            case .message(let text):
                loop.message = text
                loop.dirty = true
            }
        }
    }

    /// Connects, takes the snapshot, follows the stream; when the daemon goes away, says so and retries every
    /// second until cancelled.
    static func connect(socketPath: String, sink: AsyncStream<Input>.Continuation, current: CurrentClient) async {
        while !Task.isCancelled {
            var reason = "connection closed"
            do {
                try await ControlClient.withConnection(socketPath: socketPath) { client in
                    // Subscribe first so nothing that happens after the snapshot is missed.
                    _ = try await client.call("events.subscribe", .object([]))
                    async let status = client.call("daemon.status")
                    async let jobs = client.call("jobs.list")
                    async let metrics = client.call("metrics.get")
                    let state = try await DashboardState(status: status, jobs: jobs, metrics: metrics)
                    current.set(client)
                    sink.yield(.snapshot(state))
                    for await notification in client.notifications {
                        if Task.isCancelled { break }
                        switch notification.method {
                        case "event": sink.yield(.event(notification.params))
                        case "events.dropped": sink.yield(.dropped(notification.params["count"]?.intValue ?? 0))
                        default: continue
                        }
                    }
                }
            } catch let error as ClientError {
                reason = error.description
            } catch let error as RPCError {
                reason = error.message
            } catch {
                reason = "\(error)"
            }
            current.set(nil)
            if Task.isCancelled { return }
            sink.yield(.disconnected(reason))
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// The dashboard's view state and its reactions to keys and time.
    struct Loop {
        var state = DashboardState()
        var connection: DashboardConnection = .disconnected("connecting…")
        var selected = 0
        var filter: String?
        var editingFilter = false
        var message: String?
        var dirty = false
        var lastDraw = ContinuousClock.now
        let color: Bool
        let offset: Int

        init(color: Bool, offset: Int) {
            self.color = color
            self.offset = offset
        }

        var selectedJob: DashboardState.Job? {
            let jobs = DashboardRenderer.visibleJobs(state, filter: filter)
            return jobs.isEmpty ? nil : jobs[min(max(selected, 0), jobs.count - 1)]
        }

        /// nil: quit; `.some(nil)`: redraw only; `.some((method, id))`: a call to make.
        mutating func handle(_ key: TerminalInput) -> (String, String)?? {
            if editingFilter {
                switch key {
                case .enter: editingFilter = false
                case .escape:
                    editingFilter = false
                    filter = nil
                case .backspace:
                    if var text = filter, !text.isEmpty {
                        text.removeLast()
                        filter = text
                    }
                case .character(let c): filter = (filter ?? "") + String(c)
                case .interrupt: return nil
                case .up, .down, .resize: break
                }
                selected = 0
                return .some(nil)
            }
            switch key {
            case .interrupt, .character("q"), .character("Q"): return nil
            case .up: selected = max(0, selected - 1)
            case .down:
                let count = DashboardRenderer.visibleJobs(state, filter: filter).count
                selected = min(max(0, count - 1), selected + 1)
            case .character("/"):
                editingFilter = true
                filter = filter ?? ""
            case .escape: filter = nil
            case .character("p"):
                if let job = selectedJob { return .some((job.paused ? "jobs.resume" : "jobs.pause", job.id)) }
            case .character("r"):
                if let job = selectedJob { return .some(("jobs.run", job.id)) }
            case .resize, .enter, .backspace, .character: break
            }
            return .some(nil)
        }

        mutating func tick() {
            let elapsed = ContinuousClock.now - lastDraw
            if (dirty && elapsed >= .milliseconds(100)) || elapsed >= .seconds(1) { draw() }
        }

        mutating func draw() {
            let (width, height) = Terminal.size()
            let now = WallClockNow.instant
            Terminal.draw(
                DashboardRenderer.render(
                    state, width: width, height: height, now: now, selected: selected, filter: filter, color: color,
                    connection: connection, editingFilter: editingFilter, message: message, utcOffsetSeconds: offset))
            dirty = false
            lastDraw = .now
        }
    }
}

/// The connection actions are sent on, while there is one.
final class CurrentClient: Sendable {
    private let value = Mutex<ControlClient?>(nil)
    func get() -> ControlClient? { value.withLock { $0 } }
    func set(_ client: ControlClient?) { value.withLock { $0 = client } }
}
