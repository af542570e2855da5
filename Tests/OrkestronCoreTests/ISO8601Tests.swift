import OrkestronCore
import Testing

/// ISO 8601 text for instants: UTC with milliseconds, zoned with offsets, and parsing.
@Suite("ISO 8601")
struct ISO8601Tests {
    func zone(_ id: String) throws -> ZoneRules { try #require(ZoneRules.named(id)) }

    /// UTC text always carries milliseconds, and `description` uses it.
    @Test("UTC text has milliseconds and a Z")
    func utcText() {
        let instant = Instant(millisecondsSinceEpoch: 1_795_939_201_842)
        #expect(instant.iso8601UTC == "2026-11-29T08:00:01.842Z")
        #expect(instant.description == "2026-11-29T08:00:01.842Z")
        #expect(Instant(millisecondsSinceEpoch: 0).iso8601UTC == "1970-01-01T00:00:00.000Z")
        #expect(Instant(millisecondsSinceEpoch: -1).iso8601UTC == "1969-12-31T23:59:59.999Z")
    }

    /// Zoned text shows the wall time and the offset in force at the instant, `+00:00` for UTC.
    @Test("zoned text carries the offset in force")
    func zonedText() throws {
        let gapEnd = try #require(Instant(iso8601: "2026-03-29T01:00:00Z"))
        #expect(gapEnd.iso8601(in: try zone("Europe/Berlin")) == "2026-03-29T03:00:00+02:00")
        #expect((gapEnd - 1).iso8601(in: try zone("Europe/Berlin")) == "2026-03-29T01:59:59+01:00")
        #expect(gapEnd.iso8601(in: .utc) == "2026-03-29T01:00:00+00:00")
        #expect(gapEnd.iso8601(in: try zone("Asia/Kolkata")) == "2026-03-29T06:30:00+05:30")
        #expect(gapEnd.iso8601(in: try zone("America/Sao_Paulo")) == "2026-03-28T22:00:00-03:00")
        #expect(gapEnd.iso8601(in: try zone("Pacific/Chatham")) == "2026-03-29T14:45:00+13:45")
        #expect((gapEnd + 7).iso8601(in: .utc, fractionalSeconds: true) == "2026-03-29T01:00:00.007+00:00")
    }

    /// The parser accepts `Z` and numeric offsets, optional seconds and fractions (truncated to milliseconds).
    @Test("parsing accepts offsets and fractions")
    func parsing() throws {
        let base = try #require(Instant(iso8601: "2026-03-28T00:00:00Z"))
        #expect(base.millisecondsSinceEpoch == 1_774_656_000_000)
        #expect(Instant(iso8601: "2026-03-28T01:00:00+01:00") == base)
        #expect(Instant(iso8601: "2026-03-27T21:00:00-03:00") == base)
        #expect(Instant(iso8601: "2026-03-28T05:30:00+0530") == base)
        #expect(Instant(iso8601: "2026-03-28t00:00:00z") == base)
        #expect(Instant(iso8601: "2026-03-28 00:00:00Z") == base)
        #expect(Instant(iso8601: "2026-03-28T00:00Z") == base)
        #expect(Instant(iso8601: "2026-03-28T00:00:00.5Z") == base + 500)
        #expect(Instant(iso8601: "2026-03-28T00:00:00.123456Z") == base + 123)
        #expect(Instant(iso8601: "2026-11-29T08:00:01.842Z")?.iso8601UTC == "2026-11-29T08:00:01.842Z")
    }

    /// Anything that is not a complete, real timestamp with an offset is rejected.
    @Test(
        "parsing rejects malformed text",
        arguments: [
            "", "2026-03-28", "2026-03-28T00:00:00", "2026-02-30T00:00:00Z", "2026-03-28T24:00:00Z",
            "2026-03-28T00:00:00+1:00", "2026-03-28T00:00:00Zjunk", "2026-3-28T00:00:00Z", "2026-03-28T00:00:00.Z",
            "2026-03-28T00:00:60Z", "2026-03-28T00:00:00+24:00",
        ])
    func parsingRejects(text: String) {
        #expect(Instant(iso8601: text) == nil, "\(text)")
    }

    /// Local wall times resolve like a fixed-time job: gap end when skipped, first occurrence when repeated.
    @Test("local date-times resolve in the zone")
    func localDateTime() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(Instant(localDateTime: "2026-06-01 12:00:05", in: berlin) == Instant(iso8601: "2026-06-01T10:00:05Z"))
        #expect(Instant(localDateTime: "2026-06-01T12:00", in: berlin) == Instant(iso8601: "2026-06-01T10:00:00Z"))
        #expect(Instant(localDateTime: "2026-03-29 02:30", in: berlin) == Instant(iso8601: "2026-03-29T01:00:00Z"))
        #expect(Instant(localDateTime: "2026-10-25 02:30", in: berlin) == Instant(iso8601: "2026-10-25T00:30:00Z"))
        #expect(Instant(localDateTime: "2026-06-01", in: berlin) == nil)
        #expect(Instant(localDateTime: "2026-06-01 12:00+02:00", in: berlin) == nil)
        #expect(Instant(localDateTime: "2026-06-31 12:00", in: berlin) == nil)
    }
}
