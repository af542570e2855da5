/// The duration syntax of the configuration: `"250ms"`, `"3s"`, `"5m"`, `"1h30m"`, `"7d"`, `"1h 30m"`.
///
/// A duration is one or more `<integer><unit>` parts, units `d`, `h`, `m`, `s`, `ms`, each used at most once and
/// from the largest to the smallest, optionally separated by spaces. Fractions (`"1.5s"`) and signs are not
/// accepted, so every duration has exactly one reading; a bare TOML integer (`interval = 3000`) means
/// milliseconds and is handled by the caller. The configuration and orkctl's duration flags share it, so a
/// duration reads the same everywhere.
public enum DurationText {
    /// How the expectation is phrased in diagnostics.
    public static let expectation = "a duration like \"3s\", \"250ms\" or \"1h30m\""

    private static let units: [(name: String, ms: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// Milliseconds, or nil when `text` is not a duration (or does not fit in 64 bits).
    public static func parse(_ text: String) -> Int64? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var total: Int64 = 0
        var parts = 0
        // Units must strictly decrease: each part's unit comes after the previous one in `units`.
        var nextUnit = 0
        func skipSpaces() {
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        }
        skipSpaces()
        while index < scalars.count {
            var number: Int64 = 0
            var digits = 0
            while index < scalars.count, let digit = scalars[index].asciiDigit {
                let (shifted, overflow1) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(digit)
                guard !overflow1 && !overflow2 else { return nil }
                number = sum
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            var unit = ""
            while index < scalars.count, ("a"..."z").contains(scalars[index]) {
                unit.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard let unitIndex = units.firstIndex(where: { $0.name == unit }), unitIndex >= nextUnit else {
                return nil
            }
            nextUnit = unitIndex + 1
            let (scaled, overflow1) = number.multipliedReportingOverflow(by: units[unitIndex].ms)
            let (sum, overflow2) = total.addingReportingOverflow(scaled)
            guard !overflow1 && !overflow2 else { return nil }
            total = sum
            parts += 1
            skipSpaces()
        }
        return parts > 0 ? total : nil
    }

    /// The shortest text `parse` reads back as `ms`: `"1h30m"`, `"250ms"`, `"0ms"`; negative values get a sign.
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0ms" }
        if ms < 0 { return "-" + format(ms == .min ? .max : -ms) }
        var rest = ms
        var text = ""
        for unit in units where rest >= unit.ms {
            text += "\(rest / unit.ms)\(unit.name)"
            rest %= unit.ms
        }
        return text
    }
}

extension Unicode.Scalar {
    fileprivate var asciiDigit: Int64? {
        ("0"..."9").contains(self) ? Int64(value - 48) : nil
    }
}
