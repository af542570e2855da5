import ArgumentParser

extension Orkctl {
    /// Commands that control and inspect the daemon, beyond `status` and `list`, and the offline `check-config`
    /// and `simulate` that work on the same configuration.
    static let controlCommands: [any ParsableCommand.Type] = [
        RunCommand.self, PauseCommand.self, ResumeCommand.self, CancelCommand.self,
        ShowCommand.self, HistoryCommand.self, TraceCommand.self, WatchCommand.self,
        MetricsCommand.self, ExplainCommand.self, NextCommand.self,
        ReloadCommand.self, CheckConfigCommand.self, SimulateCommand.self, ChaosCommand.self, TimelineCommand.self,
        TopCommand.self,
    ]
}
