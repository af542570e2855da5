import Dispatch
import Foundation

/// A key or terminal happening `orkctl top` reacts to.
enum TerminalInput: Sendable, Equatable {
    case up, down, enter, escape, backspace, interrupt
    case character(Character)
    case resize
}

/// The thin terminal driver of `orkctl top`: raw mode, the alternate screen, keys, size and drawing. The only
/// file of orkctl that writes escape codes for full-screen use; it restores the terminal on every way out.
enum Terminal {
    /// The settings to restore; written once before raw mode starts, read by the signal handlers.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var active = false
    /// Kept alive for the life of the process.
    nonisolated(unsafe) private static var resizeSource: (any DispatchSourceSignal)?

    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Raw mode, alternate screen, hidden cursor; SIGINT/SIGTERM/SIGHUP restore the terminal and exit.
    static func enter() {
        tcgetattr(STDIN_FILENO, &saved)
        var raw = saved
        cfmakeraw(&raw)
        raw.c_oflag |= tcflag_t(OPOST)  // keep "\n" → "\r\n" for messages printed after a crash
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        active = true
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J")
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(sig) { number in
                Terminal.restore()
                _exit(128 + number)
            }
        }
        signal(SIGPIPE, SIG_IGN)
        atexit { Terminal.restore() }
    }

    /// Leaves raw mode and the alternate screen; safe to call more than once and from a signal handler.
    static func restore() {
        guard active else { return }
        active = false
        let sequence = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
        sequence.utf8CString.withUnsafeBufferPointer { buffer in
            _ = Foundation.write(STDOUT_FILENO, buffer.baseAddress, buffer.count - 1)
        }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
    }

    /// Columns and rows of the terminal (80×24 when unknown).
    static func size() -> (width: Int, height: Int) {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
            return (Int(size.ws_col), Int(size.ws_row))
        }
        return (80, 24)
    }

    /// Draws full-screen lines from the top-left corner, clearing what each line and the rest leave behind.
    static func draw(_ lines: [String]) {
        var output = "\u{1B}[H"
        for (index, line) in lines.enumerated() {
            output += line + "\u{1B}[0m\u{1B}[K"
            if index < lines.count - 1 { output += "\r\n" }
        }
        output += "\u{1B}[J"
        write(output)
    }

    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written <= 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }

    /// Keys from stdin (a reader thread) and SIGWINCH, as one stream.
    static func inputs() -> AsyncStream<TerminalInput> {
        let (stream, continuation) = AsyncStream.makeStream(of: TerminalInput.self)
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler { continuation.yield(.resize) }
        source.resume()
        resizeSource = source
        let thread = Thread {
            var decoder = KeyDecoder()
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                for key in decoder.feed(buffer[0..<count]) { continuation.yield(key) }
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}

/// Turns stdin bytes into keys, including the arrow escape sequences (`ESC [ A`, `ESC O A`).
struct KeyDecoder {
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [TerminalInput] {
        pending.append(contentsOf: bytes)
        var keys: [TerminalInput] = []
        var index = 0
        while index < pending.count {
            let byte = pending[index]
            if byte == 0x1B {
                if index + 2 < pending.count, pending[index + 1] == 0x5B || pending[index + 1] == 0x4F {
                    switch pending[index + 2] {
                    case 0x41: keys.append(.up)
                    case 0x42: keys.append(.down)
                    default: break
                    }
                    index += 3
                    // Skip the rest of longer sequences (e.g. ESC [ 1 ; 5 A).
                    while index < pending.count, pending[index - 1] < 0x40 || pending[index - 1] > 0x7E { index += 1 }
                    continue
                }
                // A lone ESC (the read returned it by itself) is the Escape key.
                keys.append(.escape)
                index += 1
                continue
            }
            switch byte {
            case 0x03: keys.append(.interrupt)
            case 0x0D, 0x0A: keys.append(.enter)
            case 0x7F, 0x08: keys.append(.backspace)
            case 0x20...0x7E: keys.append(.character(Character(UnicodeScalar(byte))))
            default: break
            }
            index += 1
        }
        pending.removeAll()
        return keys
    }
}
