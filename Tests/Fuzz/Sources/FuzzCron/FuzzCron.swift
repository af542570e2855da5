import OrkestronCore

/// libFuzzer's entry: a cron expression through `CronExpression(parsing:)` and, when it is valid, its next fire
/// times from `CronSchedule`, the evaluator the engine and `orkctl calendar` use.
///
/// The input is up to three lines: the expression, then optionally an IANA zone (default UTC) and the instant to
/// start from (ISO 8601, or a wall time in the zone as `orkctl calendar --from` reads it; default
/// 2025-03-28T22:00:00Z, two days before Europe's spring-forward). So a seed like `20 2 * * *`,
/// `Europe/Berlin`, `2025-03-28T22:00:00+00:00` is one cron vector, and mutations move it across DST changes.
///
/// Beyond not crashing, the fire times must be strictly increasing after the start, as the engine relies on, and
/// their ISO 8601 text must read back as the same instant.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCronExpression(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    let expression: CronExpression
    do {
        expression = try CronExpression(parsing: lines[0])
    } catch {
        _ = error.description
        return 0
    }
    let zone = lines.count > 1 ? ZoneRules.named(lines[1]) ?? .utc : .utc
    let defaultStart = Instant(secondsSinceEpoch: 1_743_199_200)
    let start = lines.count > 2 ? Instant(iso8601: lines[2]) ?? Instant(localDateTime: lines[2], in: zone) : nil
    var previous = start ?? defaultStart
    for fire in CronSchedule(expression: expression, zone: zone).upcoming(after: previous, count: 5) {
        precondition(fire > previous, "\(expression) in \(zone): \(fire) does not follow \(previous)")
        previous = fire
        // Offsets with seconds (local mean time before 1900) have no ISO 8601 form that reads back.
        guard zone.offsetSeconds(at: fire) % 60 == 0 else { continue }
        let written = fire.iso8601(in: zone)
        precondition(Instant(iso8601: written) == fire, "\(fire) is written \(written), which reads back differently")
    }
    return 0
}
