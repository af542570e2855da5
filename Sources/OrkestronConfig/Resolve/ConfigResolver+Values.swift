import Foundation
import OrkestronCore

/// Typed reads of single keys: each returns nil when the key is absent or its value is wrong, and reports the
/// latter at the value, saying what was expected.
extension ConfigResolver {
    mutating func table(_ key: String, in view: TableView, context: String) -> TableView? {
        guard let node = view[key] else { return nil }
        guard case .table(let entries) = node else {
            typeMismatch(expected: "a table", key: key, found: node, file: view.file, path: view.path(of: key))
            return nil
        }
        return TableView(file: view.file, path: view.path(of: key), entries: entries, context: context)
    }

    mutating func arrayOfTables(_ key: String, in view: TableView, context: String) -> [TableView] {
        guard let node = view[key] else { return [] }
        let path = view.path(of: key)
        guard case .array(let elements) = node else {
            report(
                "expected an array of tables for \"\(key)\" (write \(context) above each entry), found "
                    + node.kindDescription, file: view.file, path: path)
            return []
        }
        var views: [TableView] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            guard case .table(let entries) = element else {
                report(
                    "expected a table for each element of \"\(key)\", found \(element.kindDescription)",
                    file: view.file, path: elementPath)
                continue
            }
            views.append(TableView(file: view.file, path: elementPath, entries: entries, context: context))
        }
        return views
    }

    mutating func string(_ key: String, in view: TableView, allowEmpty: Bool = false) -> String? {
        guard let node = view[key] else { return nil }
        guard case .string(let text) = node else {
            typeMismatch(expected: "a string", key: key, found: node, file: view.file, path: view.path(of: key))
            return nil
        }
        if !allowEmpty && text.isEmpty {
            report("\"\(key)\" must not be empty", file: view.file, path: view.path(of: key))
            return nil
        }
        return text
    }

    mutating func bool(_ key: String, in view: TableView) -> Bool? {
        guard let node = view[key] else { return nil }
        guard case .bool(let value) = node else {
            typeMismatch(expected: "a boolean", key: key, found: node, file: view.file, path: view.path(of: key))
            return nil
        }
        return value
    }

    /// An integer no smaller than `minimum` that fits in `Int`.
    mutating func integer(_ key: String, in view: TableView, atLeast minimum: Int64? = nil) -> Int? {
        guard let node = view[key] else { return nil }
        guard case .integer(let value) = node else {
            typeMismatch(expected: "an integer", key: key, found: node, file: view.file, path: view.path(of: key))
            return nil
        }
        if let minimum, value < minimum {
            report(
                "expected an integer of at least \(minimum) for \"\(key)\", found \(value)", file: view.file,
                path: view.path(of: key))
            return nil
        }
        guard let result = Int(exactly: value) else {
            report("\"\(key)\" is too large: \(value)", file: view.file, path: view.path(of: key))
            return nil
        }
        return result
    }

    /// A number (integer or float) in `range`.
    mutating func number(_ key: String, in view: TableView, in range: ClosedRange<Double>) -> Double? {
        let expected = "a number between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound))"
        return number(key, in: view, expected: expected, accepting: range.contains)
    }

    /// A number (integer or float) of at least `minimum`.
    mutating func number(_ key: String, in view: TableView, atLeast minimum: Double) -> Double? {
        number(key, in: view, expected: "a number of at least \(Self.format(minimum))", accepting: { $0 >= minimum })
    }

    private mutating func number(
        _ key: String, in view: TableView, expected: String, accepting isAccepted: (Double) -> Bool
    ) -> Double? {
        guard let node = view[key] else { return nil }
        let value: Double
        switch node {
        case .integer(let integer): value = Double(integer)
        case .float(let float): value = float
        default:
            typeMismatch(expected: "a number", key: key, found: node, file: view.file, path: view.path(of: key))
            return nil
        }
        guard value.isFinite, isAccepted(value) else {
            report(
                "expected \(expected) for \"\(key)\", found \(Self.format(value))", file: view.file,
                path: view.path(of: key))
            return nil
        }
        return value
    }

    /// `2`, `0.25`, `inf`: integers without a fraction, so messages echo what was written.
    static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    enum DurationBound {
        /// Zero and up.
        case nonNegative
        /// Strictly positive.
        case positive
    }

    /// A duration in milliseconds: a string such as `"1h30m"`, or a bare integer meaning milliseconds.
    mutating func duration(_ key: String, in view: TableView, _ bound: DurationBound) -> Int64? {
        guard let node = view[key] else { return nil }
        return duration(node, key: key, file: view.file, path: view.path(of: key), bound)
    }

    mutating func duration(
        _ node: TOMLNode, key: String, file: Int, path: ConfigPath, _ bound: DurationBound
    ) -> Int64? {
        let ms: Int64
        let shown: String
        switch node {
        case .integer(let integer):
            ms = integer
            shown = String(integer)
        case .string(let text):
            guard let parsed = DurationText.parse(text) else {
                report("expected \(DurationText.expectation), found \"\(text)\"", file: file, path: path)
                return nil
            }
            ms = parsed
            shown = "\"\(text)\""
        default:
            report("expected \(DurationText.expectation), found \(node.kindDescription)", file: file, path: path)
            return nil
        }
        switch bound {
        case .positive where ms <= 0:
            report("expected a positive duration for \"\(key)\", found \(shown)", file: file, path: path)
            return nil
        case .nonNegative where ms < 0:
            report("expected a duration of at least 0 for \"\(key)\", found \(shown)", file: file, path: path)
            return nil
        case .positive, .nonNegative:
            return ms
        }
    }

    /// One of an enum's raw values, with a suggestion when the value is close to one.
    mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ key: String, in view: TableView, _: Value.Type
    ) -> Value? where Value.RawValue == String {
        guard let node = view[key] else { return nil }
        let names = Value.allCases.map(\.rawValue)
        let expected = "one of " + names.map { "\"\($0)\"" }.joined(separator: ", ")
        guard case .string(let text) = node else {
            typeMismatch(expected: expected, key: key, found: node, file: view.file, path: view.path(of: key))
            return nil
        }
        guard let value = Value(rawValue: text) else {
            report(
                "expected \(expected) for \"\(key)\", found \"\(text)\"\(Suggestions.hint(for: text, in: names))",
                file: view.file, path: view.path(of: key))
            return nil
        }
        return value
    }

    /// An array of strings, each with its path (for messages about a single element).
    mutating func strings(
        _ key: String, in view: TableView, allowEmptyElements: Bool = false
    ) -> [(value: String, path: ConfigPath)]? {
        guard let node = view[key] else { return nil }
        let path = view.path(of: key)
        guard case .array(let elements) = node else {
            typeMismatch(expected: "an array of strings", key: key, found: node, file: view.file, path: path)
            return nil
        }
        var values: [(String, ConfigPath)] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            guard case .string(let text) = element else {
                report(
                    "expected a string for each element of \"\(key)\", found \(element.kindDescription)",
                    file: view.file, path: elementPath)
                valid = false
                continue
            }
            if text.isEmpty && !allowEmptyElements {
                report("elements of \"\(key)\" must not be empty", file: view.file, path: elementPath)
                valid = false
                continue
            }
            values.append((text, elementPath))
        }
        return valid ? values : nil
    }

    /// An IANA zone `ZoneRules` knows, suggesting a close name otherwise.
    mutating func timeZone(_ key: String, in view: TableView) -> String? {
        guard let name = string(key, in: view) else { return nil }
        guard ZoneRules.named(name) == nil else { return name }
        let hint = Suggestions.hint(for: name, in: TimeZone.knownTimeZoneIdentifiers)
        report("unknown time zone \"\(name)\"\(hint)", file: view.file, path: view.path(of: key))
        return nil
    }
}
