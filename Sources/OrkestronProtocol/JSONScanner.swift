/// A strict, allocation-light JSON reader for `JSONValue.parse`, over UTF-8 bytes already known to be valid.
///
/// `JSONValue`'s `Decodable` conformance finds each value's kind by trying `Bool`, `Int64`, `Double`, `String` and
/// `[JSONValue]` in turn, and every failed try throws a `DecodingError` with its coding path: an object costs five
/// errors, a request line about twenty, a full `metrics.get` tens of thousands. Under load that made parsing
/// requests and re-encoding answers the daemon's largest CPU cost. This scanner reads each value once.
///
/// It accepts only RFC 8259 JSON that the decoder path reads the same way, and gives up (returns nil) on
/// anything else: duplicate object keys, nesting deeper than 512, a lone surrogate, a control character in a
/// string. `JSONValue.parse` then falls back to the decoder, so an unusual or invalid input gets exactly the
/// value, or the error message, it got before. The one exception is a trailing comma (`[1,]`, `{"a":1,}`): the
/// decoder lets it pass, RFC 8259 does not, and SPEC §5 makes a line that is not a JSON text a parse error
/// (-32700); the scanner throws for it rather than hand it to the decoder.
struct JSONScanner {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var depth = 0
    /// Where a comma was followed by the closing bracket, once one was seen.
    private var trailingComma: Int?

    static let maximumDepth = 512

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The value of the whole text, or nil when the fallback must decide; throws for a trailing comma, which the
    /// fallback would accept.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue? {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        let parsed = scanner.value()
        if let offset = scanner.trailingComma {
            throw JSONParseError(message: "trailing comma at offset \(offset)")
        }
        guard let value = parsed else { return nil }
        scanner.skipWhitespace()
        // Not a ternary: `JSONValue` is `ExpressibleByNilLiteral`, so `cond ? value : nil` would give `.null`.
        guard scanner.position == bytes.count else { return nil }
        return value
    }

    // MARK: - Values

    private mutating func value() -> JSONValue? {
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func object() -> JSONValue? {
        guard depth < Self.maximumDepth else { return nil }
        depth += 1
        defer { depth -= 1 }
        position += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if take(UInt8(ascii: "}")) { return .object([]) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            guard let value = value() else { return nil }
            members.append((key, value))
            skipWhitespace()
            if take(UInt8(ascii: ",")) {
                if closes(with: UInt8(ascii: "}")) { return nil }
                continue
            }
            guard take(UInt8(ascii: "}")) else { return nil }
            break
        }
        // The decoder path reads objects into a dictionary and sorts the keys; so does this, and a repeated key
        // (which a dictionary would silently merge) is left to the decoder.
        members.sort { $0.0 < $1.0 }
        for index in members.indices.dropFirst() where members[index].0 == members[index - 1].0 { return nil }
        return .object(members)
    }

    private mutating func array() -> JSONValue? {
        guard depth < Self.maximumDepth else { return nil }
        depth += 1
        defer { depth -= 1 }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if take(UInt8(ascii: "]")) { return .array([]) }
        while true {
            skipWhitespace()
            guard let value = value() else { return nil }
            items.append(value)
            skipWhitespace()
            if take(UInt8(ascii: ",")) {
                if closes(with: UInt8(ascii: "]")) { return nil }
                continue
            }
            guard take(UInt8(ascii: "]")) else { return nil }
            return .array(items)
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return nil }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return nil }
        position += count
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: an `int` when it has neither fraction nor exponent and
    /// fits in 64 bits (as the decoder path tries `Int64` first), else a `double`.
    private mutating func number() -> JSONValue? {
        let start = position
        _ = take(UInt8(ascii: "-"))
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard isDigit(bytes[position]) else { return nil }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        var integral = true
        if take(UInt8(ascii: ".")) {
            integral = false
            guard digits() else { return nil }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            integral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() else { return nil }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if integral, let value = Int64(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { return nil }
        return .double(value)
    }

    private mutating func digits() -> Bool {
        let start = position
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        return position > start
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: - Strings

    /// A string starting at the opening quote; the bytes are valid UTF-8, so unescaped runs are copied as is.
    private mutating func string() -> String? {
        position += 1
        var runStart = position
        var result = ""
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                result += String(decoding: bytes[runStart..<position], as: UTF8.self)
                position += 1
                return result
            }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                result += String(decoding: bytes[runStart..<position], as: UTF8.self)
                position += 1
                guard let scalar = escape() else { return nil }
                result.unicodeScalars.append(scalar)
                runStart = position
                continue
            }
            position += 1
        }
        return nil
    }

    /// The character of the escape after a backslash.
    private mutating func escape() -> Unicode.Scalar? {
        guard position < bytes.count else { return nil }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            guard let unit = hex4() else { return nil }
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed by an escaped low one.
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low)
                else { return nil }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00...0xDFFF:
                return nil
            default:
                return Unicode.Scalar(unit)
            }
        default:
            return nil
        }
    }

    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    // MARK: - Bytes

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    /// After a comma: whether the container's closing bracket comes next (noted, for `parse` to throw).
    private mutating func closes(with bracket: UInt8) -> Bool {
        let comma = position - 1
        skipWhitespace()
        guard position < bytes.count, bytes[position] == bracket else { return false }
        trailingComma = comma
        return true
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }
}
