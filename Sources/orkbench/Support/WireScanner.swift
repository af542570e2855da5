import NIOCore

/// Reads the few fields a load generator needs from the daemon's lines without parsing them.
///
/// The load generator shares two cores with the daemon it measures: decoding each response and event into a
/// `JSONValue` would cost more CPU than the requests themselves (a full `jobs.list` is hundreds of kilobytes).
/// The daemon writes its members in a fixed order (`jsonrpc`, then `id` or `method`, then `result`, `error` or
/// `params`; an event's scalar fields before any nested object), so a byte scan finds them. Anything that does
/// not look like that is reported as `.unrecognized`, and the caller counts it as an error: the scan never
/// guesses.
enum WireScanner {
    /// What one line from the daemon is.
    enum Line: Equatable {
        /// A response to request `id`; `errorCode` is set for an error response.
        case response(id: Int64, errorCode: Int64?)
        /// A notification (`event`, `events.dropped`).
        case notification(method: String)
        case unrecognized
    }

    private static let prefix = Array(#"{"jsonrpc":"2.0","#.utf8)
    private static let idKey = Array(#""id":"#.utf8)
    private static let methodKey = Array(#""method":""#.utf8)
    private static let resultKey = Array(#""result":"#.utf8)
    private static let errorKey = Array(#""error":{"code":"#.utf8)

    static func classify(_ line: ByteBuffer) -> Line {
        line.withUnsafeReadableBytes { bytes in
            guard starts(bytes, with: prefix, at: 0) else { return .unrecognized }
            var position = prefix.count
            if starts(bytes, with: methodKey, at: position) {
                position += methodKey.count
                guard let end = index(of: UInt8(ascii: "\""), in: bytes, from: position) else { return .unrecognized }
                return .notification(method: String(decoding: bytes[position..<end], as: UTF8.self))
            }
            guard starts(bytes, with: idKey, at: position) else { return .unrecognized }
            position += idKey.count
            guard let (id, afterID) = integer(in: bytes, at: position), afterID < bytes.count,
                bytes[afterID] == UInt8(ascii: ",")
            else { return .unrecognized }
            position = afterID + 1
            if starts(bytes, with: resultKey, at: position) { return .response(id: id, errorCode: nil) }
            if starts(bytes, with: errorKey, at: position), let (code, _) = integer(in: bytes, at: position + errorKey.count) {
                return .response(id: id, errorCode: code)
            }
            return .unrecognized
        }
    }

    /// The integer value of the first `"key":` in the line, e.g. an event's `latenessMs`.
    static func integer(_ key: String, in line: ByteBuffer) -> Int64? {
        let pattern = Array("\"\(key)\":".utf8)
        return line.withUnsafeReadableBytes { bytes in
            guard let start = find(pattern, in: bytes) else { return nil }
            return integer(in: bytes, at: start + pattern.count)?.value
        }
    }

    /// The string value of the first `"key":"…"` in the line (no escapes expected: statuses, ids, timestamps).
    static func string(_ key: String, in line: ByteBuffer) -> String? {
        let pattern = Array("\"\(key)\":\"".utf8)
        return line.withUnsafeReadableBytes { bytes in
            guard let start = find(pattern, in: bytes) else { return nil }
            let from = start + pattern.count
            guard let end = index(of: UInt8(ascii: "\""), in: bytes, from: from) else { return nil }
            return String(decoding: bytes[from..<end], as: UTF8.self)
        }
    }

    // MARK: - Bytes

    private static func starts(_ bytes: UnsafeRawBufferPointer, with pattern: [UInt8], at offset: Int) -> Bool {
        guard offset + pattern.count <= bytes.count else { return false }
        for (index, byte) in pattern.enumerated() where bytes[offset + index] != byte { return false }
        return true
    }

    private static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var position = from
        while position < bytes.count {
            if bytes[position] == byte { return position }
            position += 1
        }
        return nil
    }

    private static func find(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let first = pattern.first, pattern.count <= bytes.count else { return nil }
        var position = 0
        while position + pattern.count <= bytes.count {
            if bytes[position] == first && starts(bytes, with: pattern, at: position) { return position }
            position += 1
        }
        return nil
    }

    /// An optionally negative decimal integer at `offset`, and the index after its last digit.
    private static func integer(in bytes: UnsafeRawBufferPointer, at offset: Int) -> (value: Int64, end: Int)? {
        var position = offset
        var negative = false
        if position < bytes.count && bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var value: Int64 = 0
        let digitsStart = position
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[position] - UInt8(ascii: "0"))
            position += 1
        }
        guard position > digitsStart else { return nil }
        return (negative ? -value : value, position)
    }
}
