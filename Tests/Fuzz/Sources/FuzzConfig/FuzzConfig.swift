import OrkestronConfig

/// libFuzzer's entry: a configuration text through `ConfigLoader.load(sources:)`, the loader `load(path:)` (the
/// daemon's start, SIGHUP and `config.reload`) runs once it has read the files, so nothing touches the disk.
///
/// A form feed (which TOML does not allow anywhere) splits the input into the main file and drop-ins, so the
/// layering of `[daemon]`, `[defaults]` and jobs across files is fuzzed too. Invalid UTF-8 is replaced, not
/// skipped: `load(path:)` refuses such files before parsing, so only the replacement text can reach the parser.
///
/// Beyond not crashing, a refusal must say why: at least one error, each at a line and column of a file read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    let sources = text.split(separator: "\u{0C}", omittingEmptySubsequences: false).enumerated().map { index, part in
        ConfigSource(path: index == 0 ? "orkestron.toml" : "conf.d/\(index).toml", text: String(part))
    }
    do {
        let configuration = try ConfigLoader.load(sources: sources)
        _ = configuration.summary()
    } catch {
        precondition(!error.errors.isEmpty, "a configuration was refused without an error: \(error)")
        for diagnostic in error.diagnostics {
            let source = sources.first { $0.path == diagnostic.file }
            precondition(source != nil, "a diagnostic names a file that was not read: \(diagnostic)")
            precondition(diagnostic.line >= 1 && diagnostic.column >= 1, "a diagnostic has no position: \(diagnostic)")
        }
        _ = error.description
    }
    return 0
}
