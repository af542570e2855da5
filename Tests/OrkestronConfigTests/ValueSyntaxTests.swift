import OrkestronCore
import Testing

@testable import OrkestronConfig

/// The small grammars of the configuration: durations, times of day, and misspelling suggestions.
@Suite("Value syntax")
struct ValueSyntaxTests {
    /// Units d, h, m, s and ms, largest first, optionally separated by spaces.
    @Test("durations parse to milliseconds")
    func durations() {
        let cases: [(String, Int64)] = [
            ("250ms", 250), ("3s", 3_000), ("5m", 300_000), ("1h30m", 5_400_000), ("7d", 604_800_000),
            ("1h 30m", 5_400_000), (" 2s ", 2_000), ("0s", 0), ("1m500ms", 60_500), ("26h", 93_600_000),
            ("1d2h3m4s5ms", 93_784_005),
        ]
        for (text, ms) in cases {
            #expect(DurationText.parse(text) == ms, "\(text)")
        }
    }

    /// Anything else is rejected rather than guessed at.
    @Test("malformed durations are rejected")
    func badDurations() {
        for text in ["", "3", "3 parsecs", "1.5s", "-5s", "30m1h", "1h1h", "5S", "ms", "1w", "3 s", "9223372036854775807d"] {
            #expect(DurationText.parse(text) == nil, "\(text)")
        }
    }

    /// Formatting gives the shortest text, and it reads back as the same value.
    @Test("durations format and round-trip")
    func formatRoundTrip() {
        #expect(DurationText.format(0) == "0ms")
        #expect(DurationText.format(1_500) == "1s500ms")
        #expect(DurationText.format(5_400_000) == "1h30m")
        #expect(DurationText.format(86_400_000) == "1d")
        var generator = SplitMix64(seed: 3)
        for _ in 0..<1_000 {
            let ms = Int64(generator.next() % 1_000_000_000_000)
            #expect(DurationText.parse(DurationText.format(ms)) == ms)
        }
    }

    /// `HH:MM` or `HH:MM:SS` within one day.
    @Test("times of day")
    func timesOfDay() {
        #expect(ConfigResolver.parseTimeOfDay("22:00") == 79_200)
        #expect(ConfigResolver.parseTimeOfDay("6:05") == 21_900)
        #expect(ConfigResolver.parseTimeOfDay("06:30:15") == 23_415)
        #expect(ConfigResolver.parseTimeOfDay("23:59:59") == 86_399)
        for text in ["24:00", "12:60", "12:00:60", "1200", "12:0", "12:00:", "x:00", "-1:00", "12:00:00:00"] {
            #expect(ConfigResolver.parseTimeOfDay(text) == nil, "\(text)")
        }
    }

    /// Suggestions: small edits, transpositions, prefixes; nothing for unrelated words.
    @Test("did-you-mean suggestions")
    func suggestions() {
        let keys = ConfigResolver.jobKeys
        #expect(Suggestions.closest(to: "intervall", in: keys) == "interval")
        #expect(Suggestions.closest(to: "tiemout", in: keys) == "timeout")
        #expect(Suggestions.closest(to: "max_concurency", in: keys) == "max_concurrency")
        #expect(Suggestions.closest(to: "work_dir", in: keys) == nil)
        #expect(Suggestions.closest(to: "on_succes", in: keys) == "on_success")
        #expect(Suggestions.closest(to: "environ", in: keys) == "environment")
        #expect(Suggestions.closest(to: "colour", in: ConfigResolver.retryKeys) == nil)
        #expect(Suggestions.editDistance("abc", "acb", limit: 2) == 1)
        #expect(Suggestions.editDistance("kitten", "sitting", limit: 5) == 3)
    }

    /// Paths render keys that are not bare quoted, so dots inside keys are not separators.
    @Test("config paths")
    func paths() {
        let path = ConfigPath("job").appending(index: 2).appending("environment").appending("A.B")
        #expect(path.description == #"job[2].environment."A.B""#)
        #expect(path.parent.description == "job[2].environment")
        #expect(ConfigPath.root.isRoot)
    }
}
