/// A 1-based line and column in a configuration file; columns count Unicode scalars.
struct SourcePosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    var line: Int
    var column: Int

    static let start = SourcePosition(line: 1, column: 1)

    static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    var description: String { "\(line):\(column)" }
}

/// Where each key and value of a TOML document starts, by `ConfigPath`.
///
/// TOMLKit hands back values without positions, yet every semantic diagnostic must name a line and column, so the
/// text is scanned a second time here. This is not a TOML parser: it only follows the structure far enough to
/// know which path each key belongs to — table and array-of-tables headers, dotted and quoted keys, inline tables
/// and arrays (which may span lines), and strings of all four kinds, so `=`, `#` or brackets inside them are not
/// mistaken for structure. It never fails: on text it does not understand it skips to the next line, and the
/// resolver falls back to the nearest enclosing path that was recorded.
struct SourcePositions: Sendable {
    /// Where the key (or the `[` of a table header) of each path starts.
    private(set) var keys: [ConfigPath: SourcePosition] = [:]
    /// Where the value of each path starts; for a table header, the header itself.
    private(set) var values: [ConfigPath: SourcePosition] = [:]
    /// The first construct toml++ 3.4 (inside TOMLKit 0.6.0) would assert on instead of reporting: a table header
    /// whose key starts with a character no key starts with (`[[[job]]`, `[=x]`), or an array element that starts
    /// with `}` or a Unicode line separator (`["a", }b"]`). An assertion is an abort in debug builds and undefined
    /// behaviour in release ones, so the loader reports these itself and never hands such text to toml++.
    private(set) var unsupportedSyntax: (position: SourcePosition, message: String)?

    init(scanning text: String) {
        var scanner = Scanner(text: text)
        scanner.scanDocument()
        keys = scanner.keys
        values = scanner.values
        unsupportedSyntax = scanner.unsupportedSyntax
    }

    func key(at path: ConfigPath) -> SourcePosition? { keys[path] }

    func value(at path: ConfigPath) -> SourcePosition? { values[path] }

    /// Lookup by the path's text (`job[2].retry`); a linear search, for tests and debugging.
    func key(at path: String) -> SourcePosition? { keys.first { $0.key.description == path }?.value }

    func value(at path: String) -> SourcePosition? { values.first { $0.key.description == path }?.value }
}

extension SourcePositions {
    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        var line = 1
        var column = 1
        var keys: [ConfigPath: SourcePosition] = [:]
        var values: [ConfigPath: SourcePosition] = [:]
        /// How many `[[name]]` headers each array-of-tables path has had so far.
        var arrayTableCounts: [ConfigPath: Int] = [:]
        var currentTable = ConfigPath.root
        var unsupportedSyntax: (position: SourcePosition, message: String)?

        init(text: String) {
            var scalars = Array(text.unicodeScalars)
            if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
            self.scalars = scalars
        }

        var position: SourcePosition { SourcePosition(line: line, column: column) }

        /// NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR: whitespace to toml++, but never skipped by it.
        static let lineSeparators: Set<Unicode.Scalar> = ["\u{85}", "\u{2028}", "\u{2029}"]

        static func quoted(_ scalar: Unicode.Scalar) -> String { "'\(scalar.escaped(asASCII: true))'" }

        /// Remembers the first construct toml++ must not see.
        mutating func flag(_ message: String) {
            if unsupportedSyntax == nil { unsupportedSyntax = (position, message) }
        }
        var atEnd: Bool { index >= scalars.count }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            let at = index + offset
            return at < scalars.count ? scalars[at] : nil
        }

        mutating func advance() {
            guard index < scalars.count else { return }
            if scalars[index] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }

        mutating func skipSpaces() {
            while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\r" { advance() }
        }

        /// Spaces, newlines and comments: what may separate the elements of an array.
        mutating func skipSpacesNewlinesAndComments() {
            while let scalar = peek() {
                if scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" {
                    advance()
                } else if scalar == "#" {
                    skipToEndOfLine()
                } else {
                    return
                }
            }
        }

        /// Leaves the scanner on the newline (or at the end).
        mutating func skipToEndOfLine() {
            while let scalar = peek(), scalar != "\n" { advance() }
        }

        mutating func record(key path: ConfigPath, at position: SourcePosition) {
            if keys[path] == nil { keys[path] = position }
        }

        mutating func record(value path: ConfigPath, at position: SourcePosition) {
            if values[path] == nil { values[path] = position }
        }

        // MARK: Document structure

        mutating func scanDocument() {
            while !atEnd {
                skipSpaces()
                guard let scalar = peek() else { return }
                switch scalar {
                case "\n":
                    advance()
                case "#":
                    skipToEndOfLine()
                case "[":
                    scanHeader()
                    skipToEndOfLine()
                default:
                    let before = index
                    scanKeyValue(in: currentTable)
                    skipToEndOfLine()
                    if index == before { advance() }
                }
            }
        }

        mutating func scanHeader() {
            let start = position
            advance()
            let isArray = peek() == "["
            if isArray { advance() }
            // toml++ skips only spaces and tabs here; a lone carriage return is a key character to it.
            while let scalar = peek(), scalar == " " || scalar == "\t" { advance() }
            if let scalar = peek(), !ConfigPath.isBareKeyScalar(scalar), !"\"']".unicodeScalars.contains(scalar) {
                flag("TOML syntax error while parsing table header: expected a key, saw \(Self.quoted(scalar))")
            }
            guard let keys = scanKey() else { return }
            skipSpaces()
            guard peek() == "]" else { return }
            advance()
            if isArray {
                guard peek() == "]" else { return }
                advance()
            }
            let parent = resolve(keys.dropLast(), from: .root)
            let tablePath = parent.appending(keys[keys.count - 1])
            recordPrefixes(of: Array(keys.dropLast()), from: .root, at: start)
            if isArray {
                let count = arrayTableCounts[tablePath, default: 0]
                arrayTableCounts[tablePath] = count + 1
                record(key: tablePath, at: start)
                record(value: tablePath, at: start)
                currentTable = tablePath.appending(index: count)
            } else {
                currentTable = tablePath
            }
            record(key: currentTable, at: start)
            record(value: currentTable, at: start)
        }

        /// Turns header keys into a path, stepping into the latest element of every array of tables on the way
        /// (`[job.retry]` after the third `[[job]]` is `job[2].retry`).
        func resolve<Keys: Collection<String>>(_ keys: Keys, from base: ConfigPath) -> ConfigPath {
            var path = base
            for key in keys {
                path = path.appending(key)
                if let count = arrayTableCounts[path], count > 0 {
                    path = path.appending(index: count - 1)
                }
            }
            return path
        }

        mutating func recordPrefixes(of keys: [String], from base: ConfigPath, at position: SourcePosition) {
            var path = base
            for key in keys {
                path = path.appending(key)
                record(key: path, at: position)
                record(value: path, at: position)
                if let count = arrayTableCounts[path], count > 0 {
                    path = path.appending(index: count - 1)
                }
            }
        }

        mutating func scanKeyValue(in table: ConfigPath) {
            let start = position
            guard let keys = scanKey() else { return }
            skipSpaces()
            guard peek() == "=" else { return }
            advance()
            skipSpaces()
            let path = resolve(keys.dropLast(), from: table).appending(keys[keys.count - 1])
            recordPrefixes(of: Array(keys.dropLast()), from: table, at: start)
            record(key: path, at: start)
            record(value: path, at: position)
            scanValue(at: path)
        }

        /// A dotted key: bare, basic-string or literal-string parts separated by dots; nil when malformed.
        mutating func scanKey() -> [String]? {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let scalar = peek() else { return nil }
                if scalar == "\"" {
                    guard let text = scanBasicString() else { return nil }
                    parts.append(text)
                } else if scalar == "'" {
                    guard let text = scanLiteralString() else { return nil }
                    parts.append(text)
                } else if ConfigPath.isBareKeyScalar(scalar) {
                    var text = ""
                    while let next = peek(), ConfigPath.isBareKeyScalar(next) {
                        text.unicodeScalars.append(next)
                        advance()
                    }
                    parts.append(text)
                } else {
                    return nil
                }
                skipSpaces()
                guard peek() == "." else { return parts }
                advance()
            }
        }

        // MARK: Values

        mutating func scanValue(at path: ConfigPath) {
            guard let scalar = peek() else { return }
            switch scalar {
            case "\"":
                if peek(1) == "\"" && peek(2) == "\"" {
                    scanMultilineString(quote: "\"", escapes: true)
                } else {
                    _ = scanBasicString()
                }
            case "'":
                if peek(1) == "'" && peek(2) == "'" {
                    scanMultilineString(quote: "'", escapes: false)
                } else {
                    _ = scanLiteralString()
                }
            case "[":
                scanArray(at: path)
            case "{":
                scanInlineTable(at: path)
            default:
                flagDateTimesTomlPlusPlusAssertsOn()
                // Numbers, booleans, dates and times: up to the next delimiter (a date-time may contain a space).
                while let next = peek(), !"\n,]}#".unicodeScalars.contains(next) { advance() }
            }
        }

        /// The bare values toml++ asserts on instead of reporting them (see the two checks).
        mutating func flagDateTimesTomlPlusPlusAssertsOn() {
            if isTruncatedSpacedDateTime() {
                flag("TOML syntax error while parsing date-time: expected a time after the date and the space")
            }
            if isDateTimeWithoutTime() {
                flag("TOML syntax error while parsing date-time: expected a time after the date and the 'T'")
            }
        }

        mutating func scanArray(at path: ConfigPath) {
            advance()
            var element = 0
            while true {
                skipSpacesNewlinesAndComments()
                guard let scalar = peek() else { return }
                if scalar == "]" {
                    advance()
                    return
                }
                if scalar == "," {
                    // A stray comma (invalid TOML); step over it rather than loop.
                    advance()
                    continue
                }
                if scalar == "}" || Self.lineSeparators.contains(scalar) {
                    flag("TOML syntax error while parsing array: expected a value, saw \(Self.quoted(scalar))")
                }
                if !"\"'[{".unicodeScalars.contains(scalar) && scalarAheadContainsEquals() {
                    // `key = …` cannot be an element: the array was never closed. Let the document scan resume;
                    // but toml++ reads it as an element first, so a shape it asserts on must still be reported
                    // (`[\n1979-05-27T\u{FFFD}=…:` aborted the loader: found by the config fuzzer).
                    flagDateTimesTomlPlusPlusAssertsOn()
                    return
                }
                let before = index
                let elementPath = path.appending(index: element)
                record(key: elementPath, at: position)
                record(value: elementPath, at: position)
                scanValue(at: elementPath)
                element += 1
                skipSpacesNewlinesAndComments()
                if peek() == "," { advance() }
                if index == before { advance() }
            }
        }

        /// `1979-05-27 8` followed by a delimiter: toml++ reads on after the single digit and asserts.
        ///
        /// toml++ takes a value for a date with a space instead of `T` when it is 10 characters (`_` not counted)
        /// starting with a digit, with `-` at 4 and 7, whatever the others are (it only checks that none of them
        /// made the value look like another kind), so `1979-0a-27 8` and `1979-0\u{FFFD}-27 8` trip it too (found
        /// by the config fuzzer). Such a value followed by a space and one digit is never valid TOML, so every
        /// value of that shape is reported, whatever its other characters.
        func isTruncatedSpacedDateTime() -> Bool {
            var at = index
            var date: [Unicode.Scalar] = []
            while at < scalars.count, !Self.isValueTerminator(scalars[at]) {
                if scalars[at] != "_" { date.append(scalars[at]) }
                at += 1
            }
            guard date.count == 10, date[4] == "-", date[7] == "-", ("0"..."9").contains(date[0]) else { return false }
            // The space, one digit, then anything that ends a value (not the end of the text).
            guard at + 2 < scalars.count, scalars[at] == " ", ("0"..."9").contains(scalars[at + 1]) else {
                return false
            }
            return Self.isValueTerminator(scalars[at + 2])
        }

        /// `1979-05-27T)7:32:00Z`: toml++ parses the date, steps over the `T` and asserts that a digit follows (found
        /// by the config fuzzer). A date and a `T` not followed by a digit is never valid TOML, so every such value is
        /// reported (one that ends right after the `T` is left to toml++, which reports it itself).
        func isDateTimeWithoutTime() -> Bool {
            let shape = "0000-00-00T".unicodeScalars.map { $0 }
            guard index + shape.count < scalars.count else { return false }
            for (offset, expected) in shape.enumerated() {
                let scalar = scalars[index + offset]
                switch expected {
                case "0": guard ("0"..."9").contains(scalar) else { return false }
                case "T": guard scalar == "T" || scalar == "t" else { return false }
                default: guard scalar == expected else { return false }
                }
            }
            let next = scalars[index + shape.count]
            return !("0"..."9").contains(next) && !Self.isValueTerminator(next)
        }

        /// toml++'s `is_value_terminator`: its whitespace (ASCII and Unicode, horizontal and vertical), `]`, `}`,
        /// `,` and `#`.
        static func isValueTerminator(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09, 0x0A...0x0D, 0x20, 0x23, 0x2C, 0x5D, 0x7D: true
            case 0x85, 0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF: true
            default: false
            }
        }

        /// Whether the bare value starting here runs into an `=` before its delimiter.
        func scalarAheadContainsEquals() -> Bool {
            var at = index
            while at < scalars.count, !"\n,]}#".unicodeScalars.contains(scalars[at]) {
                if scalars[at] == "=" { return true }
                at += 1
            }
            return false
        }

        mutating func scanInlineTable(at path: ConfigPath) {
            advance()
            while true {
                skipSpacesNewlinesAndComments()
                guard let scalar = peek() else { return }
                if scalar == "}" {
                    advance()
                    return
                }
                if scalar == "," {
                    advance()
                    continue
                }
                let before = index
                scanKeyValue(in: path)
                skipSpacesNewlinesAndComments()
                if peek() == "," { advance() }
                if index == before {
                    // Not a key: give up on this table at the end of the line, where the document scan resumes.
                    skipToEndOfLine()
                    return
                }
            }
        }

        /// A `"…"` string with escapes, ending at the closing quote; nil when the line ends first.
        mutating func scanBasicString() -> String? {
            advance()
            var text = ""
            while let scalar = peek() {
                if scalar == "\n" { return nil }
                advance()
                if scalar == "\"" { return text }
                if scalar == "\\", let escaped = peek(), escaped != "\n" {
                    advance()
                    switch escaped {
                    case "n": text += "\n"
                    case "t": text += "\t"
                    case "r": text += "\r"
                    case "b": text += "\u{8}"
                    case "f": text += "\u{C}"
                    case "e": text += "\u{1B}"
                    case "u": text.unicodeScalars.append(scanHexScalar(digits: 4))
                    case "U": text.unicodeScalars.append(scanHexScalar(digits: 8))
                    default: text.unicodeScalars.append(escaped)
                    }
                    continue
                }
                text.unicodeScalars.append(scalar)
            }
            return nil
        }

        /// The scalar of a `\u` or `\U` escape; U+FFFD when the digits do not name one.
        mutating func scanHexScalar(digits: Int) -> Unicode.Scalar {
            var value: UInt32 = 0
            for _ in 0..<digits {
                guard let scalar = peek(), scalar.isASCII, let digit = UInt32(String(scalar), radix: 16) else {
                    return "\u{FFFD}"
                }
                value = value &* 16 &+ digit
                advance()
            }
            return Unicode.Scalar(value) ?? "\u{FFFD}"
        }

        mutating func scanLiteralString() -> String? {
            advance()
            var text = ""
            while let scalar = peek() {
                if scalar == "\n" { return nil }
                advance()
                if scalar == "'" { return text }
                text.unicodeScalars.append(scalar)
            }
            return nil
        }

        /// `"""…"""` or `'''…'''`; up to two quotes may directly precede the closing delimiter.
        mutating func scanMultilineString(quote: Unicode.Scalar, escapes: Bool) {
            advance()
            advance()
            advance()
            while let scalar = peek() {
                if escapes && scalar == "\\" {
                    advance()
                    advance()
                    continue
                }
                if scalar == quote && peek(1) == quote && peek(2) == quote {
                    advance()
                    advance()
                    advance()
                    var extra = 0
                    while extra < 2, peek() == quote {
                        advance()
                        extra += 1
                    }
                    return
                }
                advance()
            }
        }
    }
}
