import TOMLKit

/// A parsed TOML value, copied out of TOMLKit into plain Swift values.
///
/// TOMLKit's tables and arrays are classes wrapping toml++ pointers, neither `Sendable` nor cheap to walk; the
/// resolver reads every value several times, so the document is converted once, right after parsing, and TOMLKit
/// stays behind this file.
indirect enum TOMLNode: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case time(hour: Int, minute: Int, second: Int)
    case date
    case dateTime
    case array([TOMLNode])
    case table([String: TOMLNode])

    /// The kind of value with its article, for "expected …, found …" messages.
    var kindDescription: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a floating-point number"
        case .bool: return "a boolean"
        case .time: return "a time"
        case .date: return "a date"
        case .dateTime: return "a date-time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}

/// A TOML syntax error as toml++ reports it.
struct TOMLSyntaxError: Error, Sendable {
    var position: SourcePosition
    var message: String
}

extension TOMLNode {
    /// Parses a whole document into its root table.
    static func parseDocument(_ text: String) throws(TOMLSyntaxError) -> [String: TOMLNode] {
        // toml++ reads a C string: a NUL would silently end the document there.
        if let nul = text.unicodeScalars.firstIndex(of: "\u{0}") {
            let before = text.unicodeScalars[..<nul]
            let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            let column = before.reversed().prefix { $0 != "\n" }.count + 1
            throw TOMLSyntaxError(
                position: SourcePosition(line: line, column: column), message: "NUL character in the file")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TOMLSyntaxError(
                position: SourcePosition(
                    line: max(1, error.source.begin.line), column: max(1, error.source.begin.column)),
                message: error.description)
        } catch {
            throw TOMLSyntaxError(position: .start, message: "\(error)")
        }
        let root = convert(table)
        // TOMLKit 0.6.0 never deletes the toml++ table it allocates; emptying it returns all but the root node,
        // so a daemon reloading on every SIGHUP does not keep each old document.
        table.clear()
        return root
    }

    private static func convert(_ table: TOMLTable) -> [String: TOMLNode] {
        var entries: [String: TOMLNode] = [:]
        for key in table.keys {
            if let value = table[key] { entries[key] = convert(value) }
        }
        return entries
    }

    private static func convert(_ value: any TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(Int64(value.int ?? 0))
        case .double: return .float(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .time:
            let time = value.time
            return .time(hour: time?.hour ?? 0, minute: time?.minute ?? 0, second: time?.second ?? 0)
        case .date: return .date
        case .dateTime: return .dateTime
        case .array:
            guard let array = value.array else { return .array([]) }
            return .array(array.map(convert))
        case .table:
            guard let table = value.table else { return .table([:]) }
            return .table(convert(table))
        }
    }
}
