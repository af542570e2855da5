import Foundation

extension JSONValue {
    /// Parses one JSON text. Invalid UTF-8 and malformed JSON both throw.
    ///
    /// `JSONScanner` reads ordinary JSON in one pass; whatever it leaves (malformed text, and the odd valid
    /// corner such as a repeated key) goes to Foundation's decoder, whose values and error messages were the
    /// contract before the scanner existed.
    public static func parse(_ data: Data) throws(JSONParseError) -> JSONValue {
        guard String(validating: data, as: UTF8.self) != nil else { throw JSONParseError(message: "invalid UTF-8") }
        // `withUnsafeBytes` rethrows untyped errors: the scanner's verdict comes out as a value.
        let scanned = data.withUnsafeBytes { bytes -> Result<JSONValue?, JSONParseError> in
            do throws(JSONParseError) {
                return .success(try JSONScanner.parse(bytes))
            } catch {
                return .failure(error)
            }
        }
        if let value = try scanned.get() { return value }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw JSONParseError(message: underlying ?? context.debugDescription)
        } catch {
            throw JSONParseError(message: "\(error)")
        }
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Data(text.utf8))
    }

    /// The compact serialization, on one line (no raw newlines can appear: strings escape them).
    public var serialized: String {
        var output = ""
        output.reserveCapacity(128)
        write(to: &output)
        return output
    }

    public func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value):
            if value.isFinite {
                if value.rounded() == value && abs(value) < 1e15 {
                    output += String(Int64(value))
                    if value == 0 && value.sign == .minus { output = String(output.dropLast()) + "0" }
                } else {
                    output += "\(value)"
                }
            } else {
                output += "null"
            }
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                value.write(to: &output)
            }
            output += "}"
        }
    }

    static func writeString(_ value: String, to output: inout String) {
        output += "\""
        // Almost every string on the wire (ids, statuses, timestamps, reasons) needs no escape: appended whole, it
        // costs one copy instead of a scalar-by-scalar append, which made serializing events and answers a large
        // share of the daemon's CPU under load.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case let scalar where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

/// Why a text is not JSON.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public var description: String { message }
}

extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            // Member order is not preserved by the decoder; sort for a stable result.
            let members = try container.decode([String: JSONValue].self)
            self = .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }
}
