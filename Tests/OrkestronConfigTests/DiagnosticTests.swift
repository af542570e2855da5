import Foundation
import OrkestronCore
import Testing

@testable import OrkestronConfig

/// Every kind of configuration error names the file, line and column and says what was expected.
@Suite("Diagnostics")
struct DiagnosticTests {
    /// A misspelt key is an error at the key, with the closest allowed key suggested.
    @Test("unknown key with a did-you-mean suggestion")
    func unknownKey() {
        let text = """
            [[job]]
            id = "a"
            intervall = "3s"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:1: error: unknown key "intervall" in [[job]] (did you mean "interval"?)"#
            ])
    }

    /// Unknown keys are caught in every table, including inline ones, and a far-off key gets no suggestion.
    @Test("unknown keys in every table")
    func unknownKeysEverywhere() {
        let text = """
            jobs = 1
            [daemon]
            sokcet = "/run/x.sock"
            [defaults]
            retry = { max_retry = 3, colour = "red" }
            [types.sync]
            max_concurency = 2
            [[quiet_hours]]
            name = "n"
            from = "22:00"
            to = "06:00"
            action_ = "skip"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:1:1: error: unknown key "jobs" in the top level (did you mean "job"?)"#,
                #"orkestron.toml:3:1: error: unknown key "sokcet" in [daemon] (did you mean "socket"?)"#,
                #"orkestron.toml:5:11: error: unknown key "max_retry" in retry of [defaults] (did you mean "max_retries"?)"#,
                #"orkestron.toml:5:26: error: unknown key "colour" in retry of [defaults]"#,
                #"orkestron.toml:7:1: error: unknown key "max_concurency" in [types.sync] (did you mean "max_concurrency"?)"#,
                #"orkestron.toml:12:1: error: unknown key "action_" in [[quiet_hours]] (did you mean "action"?)"#,
            ])
    }

    /// A job key in `[defaults]` is explained rather than called unknown.
    @Test("job-only keys in [defaults] say where they belong")
    func jobKeyInDefaults() {
        #expect(
            Harness.diagnostics("[defaults]\ninterval = \"3s\"\n") == [
                #"orkestron.toml:2:1: error: "interval" cannot be set in [defaults]; it belongs to each [[job]]"#
            ])
    }

    /// A job id defined in the main file and again in a drop-in names both places.
    @Test("duplicate job id across the main file and a drop-in")
    func duplicateAcrossFiles() {
        let main = """
            [[job]]
            id = "x"
            interval = "1s"
            """
        let dropIn = """
            # more jobs

            [[job]]
            id = "y"

            [[job]]
              id = "x"
            """
        #expect(
            Harness.diagnostics(main, dropIns: [("conf.d/a.toml", dropIn)]) == [
                #"conf.d/a.toml:7:3: error: duplicate job id "x" (first defined at orkestron.toml:2:1)"#
            ])
    }

    /// Between two drop-ins, the later one is reported and the earlier one named.
    @Test("duplicate job id between drop-ins")
    func duplicateBetweenDropIns() {
        let first = "\n\n\n\n\n\n\n\n\n\n[[job]]\nid = \"x\"\n"
        #expect(
            Harness.diagnostics("", dropIns: [("conf.d/a.toml", first), ("conf.d/b.toml", "[[job]]\nid = \"x\"\n")])
                == [#"conf.d/b.toml:2:1: error: duplicate job id "x" (first defined at conf.d/a.toml:12:1)"#])
    }

    /// A duration that does not parse is reported at its value, quoting it and saying what a duration looks like.
    @Test("bad duration")
    func badDuration() {
        let text = """
            [[job]]
            id = "a"
            timeout   =   "3 parsecs"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:15: error: expected a duration like "3s", "250ms" or "1h30m", found "3 parsecs""#
            ])
    }

    /// Zero and negative intervals are errors; so are durations of the wrong TOML type.
    @Test("non-positive and mistyped durations")
    func nonPositiveDurations() {
        let text = """
            [[job]]
            id = "a"
            interval = "0s"
            [[job]]
            id = "b"
            interval = -5
            [[job]]
            id = "c"
            interval = true
            kill_grace = -1
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:12: error: expected a positive duration for "interval", found "0s""#,
                #"orkestron.toml:6:12: error: expected a positive duration for "interval", found -5"#,
                #"orkestron.toml:9:12: error: expected a duration like "3s", "250ms" or "1h30m", found a boolean"#,
                #"orkestron.toml:10:14: error: expected a duration of at least 0 for "kill_grace", found -1"#,
            ])
    }

    /// An invalid cron expression carries the cron parser's explanation.
    @Test("bad cron expression")
    func badCron() {
        let text = """
            [[job]]
            id = "a"
            cron = "61 * * * *"
            [[job]]
            id = "b"
            cron = "* * *"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:8: error: invalid cron expression: minute field: 61 is out of range 0-59"#,
                #"orkestron.toml:6:8: error: invalid cron expression: expected 5 or 6 fields, found 3"#,
            ])
    }

    /// A value of the wrong TOML type says which type was expected and which was found.
    @Test("wrong value types")
    func wrongTypes() {
        let text = """
            [[job]]
            id = "a"
            cron = 5
            paused = "no"
            priority = 1.5
            overlap = "skp"
            command = "/bin/true"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:8: error: expected a string for "cron", found an integer"#,
                #"orkestron.toml:4:10: error: expected a boolean for "paused", found a string"#,
                #"orkestron.toml:5:12: error: expected an integer for "priority", found a floating-point number"#,
                #"orkestron.toml:6:11: error: expected one of "skip", "queue", "allow", "replace" for "overlap", found "skp" (did you mean "skip"?)"#,
                #"orkestron.toml:7:11: error: expected an array of strings for "command" like ["/usr/bin/find", "/tmp"], found a string (commands are not run through a shell)"#,
            ])
    }

    /// Unknown IANA zones are errors for cron jobs, quiet hours and the daemon, with a close name suggested.
    @Test("unknown time zone")
    func unknownZone() {
        let text = """
            [daemon]
            timezone = "Mars/Olympus"

            [[job]]
            id = "a"
            cron = "0 3 * * *"
            timezone = "Europe/Berln"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:2:12: error: unknown time zone "Mars/Olympus""#,
                #"orkestron.toml:7:12: error: unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)"#,
            ])
    }

    /// Quiet-hours times must be `HH:MM` or `HH:MM:SS` within a day; days must be day names.
    @Test("bad quiet hours time and day")
    func badQuietHours() {
        let text = """
            [[quiet_hours]]
            name = "night"
            from = "25:00"
            to = "6h"
            days = ["mon", "frday"]
            timezone = "Nowhere/Land"
            action = "postpone"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:8: error: expected a time of day like "22:00" or "06:30:00" for "from", found "25:00""#,
                #"orkestron.toml:4:6: error: expected a time of day like "22:00" or "06:30:00" for "to", found "6h""#,
                #"orkestron.toml:5:16: error: expected a day like "mon" or "saturday" in "days", found "frday" (did you mean "friday"?)"#,
                #"orkestron.toml:6:12: error: unknown time zone "Nowhere/Land""#,
                #"orkestron.toml:7:10: error: expected one of "defer", "skip" for "action", found "postpone""#,
            ])
    }

    /// Quiet hours need a unique name and both ends; `jobs` must name existing jobs.
    @Test("quiet hours names, required keys and job filter")
    func quietHoursReferences() {
        let text = """
            [[job]]
            id = "sync_001"

            [[quiet_hours]]
            name = "night"
            from = "22:00"
            to = "06:00"
            jobs = ["sync_01"]

            [[quiet_hours]]
            name = "night"
            from = "22:00"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:8:9: error: unknown job "sync_01" in "jobs" (did you mean "sync_001"?)"#,
                #"orkestron.toml:10:1: error: missing required key "to" in [[quiet_hours]]"#,
                #"orkestron.toml:11:1: error: duplicate quiet hours name "night" (first defined at orkestron.toml:5:1)"#,
            ])
    }

    /// SPEC §8: an interval job's offset must be smaller than its interval.
    @Test("offset not smaller than the interval")
    func offsetTooLarge() {
        let text = """
            [[job]]
            id = "a"
            interval = "3s"
            offset = 3000
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:4:10: error: offset 3s must be smaller than the interval 3s"#
            ])
    }

    /// `offset` belongs to interval schedules only.
    @Test("offset without an interval")
    func offsetWithoutInterval() {
        #expect(
            Harness.diagnostics("[[job]]\nid = \"a\"\ncron = \"@daily\"\noffset = \"1s\"\n") == [
                #"orkestron.toml:4:1: error: "offset" applies only to interval schedules"#
            ])
    }

    /// SPEC §8: jitter must be smaller than the interval, whether the job or `[defaults]` sets it.
    @Test("jitter not smaller than the interval")
    func jitterTooLarge() {
        let text = """
            [defaults]
            jitter = "2s"

            [[job]]
            id = "a"
            interval = "1s"
            jitter = "1s"

            [[job]]
            id = "b"
            interval = "1500ms"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:7:10: error: jitter 1s must be smaller than the interval 1s"#,
                #"orkestron.toml:11:12: error: jitter 2s from [defaults] must be smaller than the interval 1s500ms"#,
            ])
    }

    /// Only one schedule per job; `calendar` is rejected as not supported yet.
    @Test("conflicting schedules and calendar")
    func scheduleConflicts() {
        let text = """
            [[job]]
            id = "a"
            interval = "1s"
            cron = "@daily"

            [[job]]
            id = "b"
            calendar = "*-*-* 03:00"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:4:1: error: "cron" cannot be combined with "interval": a job has at most one of "interval", "cron" and "calendar" (none: manual runs only)"#,
                #"orkestron.toml:8:1: error: "calendar" schedules are not supported yet; use "cron" (for example cron = "30 3 * * *")"#,
            ])
    }

    /// `on_success` naming a job that does not exist is an error at that element.
    @Test("on_success to a missing job")
    func missingTriggerTarget() {
        let text = """
            [[job]]
            id = "nightly_cleanup"
            on_success = ["report", "nightly_cleanup_"]

            [[job]]
            id = "report_batch"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:15: error: "on_success" names unknown job "report" (did you mean "report_batch"?)"#,
                #"orkestron.toml:3:25: error: "on_success" names unknown job "nightly_cleanup_" (did you mean "nightly_cleanup"?)"#,
            ])
    }

    /// Triggers that lead back to their start are an error naming the whole cycle, across both kinds of edge.
    @Test("a cycle of on_success and on_failure")
    func triggerCycle() {
        let text = """
            [[job]]
            id = "a"
            on_failure = ["b"]

            [[job]]
            id = "b"
            on_success = ["c"]

            [[job]]
            id = "c"
            on_success = ["a"]

            [[job]]
            id = "d"
            on_failure = ["d"]
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:15: error: on_success/on_failure form a cycle: a -> b -> c -> a"#,
                #"orkestron.toml:15:15: error: on_success/on_failure form a cycle: d -> d"#,
            ])
    }

    /// A long chain of triggers that closes on itself is named by its ends, on one line.
    @Test("a long cycle is abbreviated")
    func longCycle() {
        let text = (0..<20).map { "[[job]]\nid = \"j\($0)\"\non_success = [\"j\(($0 + 1) % 20)\"]\n" }.joined()
        #expect(
            Harness.diagnostics(text) == [
                "orkestron.toml:3:15: error: on_success/on_failure form a cycle: "
                    + "j0 -> j1 -> j2 -> j3 -> j4 -> j5 -> j6 -> j7 -> j8 -> j9 -> … -> j19 -> j0 (20 jobs)"
            ])
    }

    /// TOML syntax errors use the parser's line and column.
    @Test("TOML syntax error")
    func syntaxError() {
        let text = """
            [daemon]
            max_concurrency = 4

            [[job]
            id = "a"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:4:7: error: TOML syntax error while parsing table header: expected ']', saw '\n'"#
            ])
    }

    /// Text that would trip an internal assertion of toml++ 3.4 is reported without handing it over.
    @Test("syntax toml++ would assert on is reported, not parsed")
    func unsupportedSyntax() {
        #expect(
            Harness.diagnostics("a = 1\n[[[job]]\n") == [
                "orkestron.toml:2:3: error: TOML syntax error while parsing table header: expected a key, saw '['"
            ])
        #expect(
            Harness.diagnostics("[\n") == [
                #"orkestron.toml:1:2: error: TOML syntax error while parsing table header: expected a key, saw '\n'"#
            ])
        for text in ["[=a]", "[ #x]", "[[\r\n", "[ *]", "[\t.a]"] {
            #expect(Harness.diagnostics(text).count == 1, "\(text)")
        }
        #expect(
            Harness.diagnostics("[[job]]\nid = \"a\"\non_success = [\"b\", }c\"]\n") == [
                "orkestron.toml:3:20: error: TOML syntax error while parsing array: expected a value, saw '}'"
            ])
        #expect(
            Harness.diagnostics("[daemon]\nseed = 1979-05-27 8\n") == [
                "orkestron.toml:2:8: error: TOML syntax error while parsing date-time: expected a time after the date and the space"
            ])
        #expect(Harness.diagnostics("a = [\u{2028}1]\n").count == 1)
        // Inside strings, brackets are text.
        #expect(Harness.diagnostics("[daemon]\nstate_dir = \"\"\"\n[[[x\n\"\"\"\n").isEmpty)
    }

    /// Found by the config fuzzer (Tests/Fuzz/Regressions/FuzzConfig/spaced-date-with-other-characters): toml++
    /// takes any 10-character value with `-` at 4 and 7 for a date, so these aborted the daemon on load or reload.
    @Test("date-like values of any characters followed by a space and one digit are reported, not parsed")
    func spacedDateOfAnyCharacters() {
        #expect(
            Harness.diagnostics("[daemon]\nseed = 1979-0\u{FFFD}-27 8\n") == [
                "orkestron.toml:2:8: error: TOML syntax error while parsing date-time: expected a time after the date and the space"
            ])
        for text in [
            "a = 1979-0a-27 8\n", "a = 0000-!!-\"\" 1,", "a = 1_9_7_9-0a-27 8#", "a = 1979-05-27 8\u{A0}x",
            "a = 1979-05-27 8\u{3000}", "a = [1979-0a-27 8]", "a = { b = 1979-0a-27 8 }", "a = [\n1979-05-2x 0\r\n]",
        ] {
            #expect(Harness.diagnostics(text).count == 1, "\(text.debugDescription)")
        }
        // A real date-time with a space still parses: the unknown key `x` is the only error.
        #expect(Harness.diagnostics("[daemon]\nseed = 7\n[[job]]\nid = \"a\"\nx = 1979-05-27 07:32:00\n").count == 1)
    }

    /// Found by the config fuzzer (Tests/Fuzz/Regressions/FuzzConfig/date-time-without-time): a date and a `T`
    /// followed by anything but a digit aborted the daemon in toml++'s time parser.
    @Test("a date-time whose time does not start with a digit is reported, not parsed")
    func dateTimeWithoutTime() {
        #expect(
            Harness.diagnostics("[daemon]\nseed = 1979-05-27T)7:32:00Z\n") == [
                "orkestron.toml:2:8: error: TOML syntax error while parsing date-time: expected a time after the date and the 'T'"
            ])
        for text in ["a = 1979-05-27t:7:32\n", "a = 1979-05-27T:", "a = [1979-05-27T_7:32]", "a = { b = 9999-99-99Tx:0 }"] {
            #expect(Harness.diagnostics(text).count == 1, "\(text.debugDescription)")
        }
        // toml++'s own errors stay: a T at the end of the value, and a well-formed date-time parses.
        #expect(Harness.diagnostics("a = 1979-05-27T\n").count == 1)
        #expect(Harness.diagnostics("[daemon]\nseed = 1\n[[job]]\nid = \"a\"\nx = 1979-05-27T07:32:00Z\n").count == 1)
    }

    /// A syntax error in one file does not hide the errors of the others.
    @Test("a syntax error in a drop-in and semantic errors in the main file are all reported")
    func errorsAcrossFiles() {
        let main = """
            [[job]]
            id = "a"
            timeout = "soon"
            on_success = ["defined_in_broken_dropin"]
            """
        let diagnostics = Harness.diagnostics(main, dropIns: [("conf.d/b.toml", "x = = 1\n")])
        #expect(diagnostics.count == 2)
        #expect(diagnostics.first == #"orkestron.toml:3:11: error: expected a duration like "3s", "250ms" or "1h30m", found "soon""#)
        #expect(diagnostics.last?.hasPrefix("conf.d/b.toml:1:5: error: TOML syntax error") == true)
    }

    /// Loading never stops at the first problem: every error of a file comes back, in line order.
    @Test("several errors in one file are all reported")
    func severalErrors() {
        let text = """
            [daemon]
            max_concurrency = 0
            socket_mode = "0999"

            [[job]]
            type = "sync"
            interval = "3s"

            [[job]]
            id = "bad id!"
            retry = { max_retries = -1, backoff = "quadratic", jitter = 2, multiplier = 0.5 }
            failure_rate = 1.5
            duration = "900ms..300ms"
            catchup = { max = 0 }
            max_concurrency = 0
            pause_after_failures = 0
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:2:19: error: expected an integer of at least 1 for "max_concurrency", found 0"#,
                #"orkestron.toml:3:15: error: expected an octal mode between "0000" and "0777" for "socket_mode", found "0999""#,
                #"orkestron.toml:5:1: error: missing required key "id" in [[job]]"#,
                #"orkestron.toml:10:6: error: invalid job id "bad id!": expected 1 to 128 letters, digits, "_", "." or "-""#,
                #"orkestron.toml:11:25: error: expected an integer of at least 0 for "max_retries", found -1"#,
                #"orkestron.toml:11:39: error: expected one of "fixed", "linear", "exponential" for "backoff", found "quadratic""#,
                #"orkestron.toml:11:61: error: expected a number between 0 and 1 for "jitter", found 2"#,
                #"orkestron.toml:11:77: error: expected a number of at least 1 for "multiplier", found 0.5"#,
                #"orkestron.toml:12:16: error: expected a number between 0 and 1 for "failure_rate", found 1.5"#,
                #"orkestron.toml:13:12: error: the range "900ms..300ms" ends before it starts; write the shorter duration first"#,
                #"orkestron.toml:14:1: warning: catchup has no effect unless missed = "run_all" (this job has missed = "run_once")"#,
                #"orkestron.toml:14:19: error: expected an integer of at least 1 for "max", found 0"#,
                #"orkestron.toml:15:19: error: expected an integer of at least 1 for "max_concurrency", found 0"#,
                #"orkestron.toml:16:24: error: expected an integer of at least 1 for "pause_after_failures", found 0"#,
            ])
    }

    /// Warnings do not stop loading and come with the configuration; with an error they come in the ConfigError.
    @Test("catchup without run_all is a warning, not an error")
    func catchupWarning() throws {
        let text = """
            [[job]]
            id = "a"
            interval = "1m"
            catchup = { max = 3 }
            """
        let configuration = try Harness.load(text)
        #expect(
            configuration.warnings.map(\.description) == [
                #"orkestron.toml:4:1: warning: catchup has no effect unless missed = "run_all" (this job has missed = "run_once")"#
            ])
        #expect(configuration.jobs[0].catchup == CatchupPolicy(max: 3, staggerMs: 0))
        #expect(
            Harness.diagnostics(text + "\nbogus = 1\n") == [
                #"orkestron.toml:4:1: warning: catchup has no effect unless missed = "run_all" (this job has missed = "run_once")"#,
                #"orkestron.toml:5:1: error: unknown key "bogus" in [[job]]"#,
            ])
    }

    /// A workload key that cannot apply is a warning naming why.
    @Test("failure_rate with a command is a warning")
    func failureRateWithCommand() throws {
        let configuration = try Harness.load(
            "[[job]]\nid = \"a\"\ncommand = [\"/bin/true\"]\nfailure_rate = 0.5\n")
        #expect(
            configuration.warnings.map(\.description) == [
                #"orkestron.toml:4:1: warning: "failure_rate" has no effect on a job with a command (it applies to simulated workloads)"#
            ])
    }

    /// SPEC §8: a control group that does not exist is a warning.
    @Test("missing control group is a warning")
    func missingControlGroup() throws {
        let configuration = try Harness.load("[daemon]\ncontrol_group = \"wheelz\"\n")
        #expect(
            configuration.warnings.map(\.description) == [
                #"orkestron.toml:2:17: warning: control group "wheelz" does not exist; only root and the daemon's own user may call mutating methods"#
            ])
        #expect(configuration.daemon.controlGroup == "wheelz")
        #expect(try Harness.load("[daemon]\ncontrol_group = \"orkestron\"\n").warnings.isEmpty)
    }

    /// Tables written with the wrong brackets say which form is expected.
    @Test("tables with the wrong shape")
    func wrongTableShapes() {
        #expect(
            Harness.diagnostics("[job]\nid = \"a\"\n[[daemon]]\nseed = 1\n[types]\nsync = 4\n") == [
                #"orkestron.toml:1:1: error: expected an array of tables for "job" (write [[job]] above each entry), found a table"#,
                #"orkestron.toml:3:1: error: expected a table for "daemon", found an array"#,
                #"orkestron.toml:6:8: error: expected a table for "sync", found an integer"#,
            ])
    }

    /// Keys that cannot have an effect where they are written are warnings, not errors.
    @Test("keys without effect are warnings")
    func noEffectWarnings() throws {
        let text = """
            [[job]]
            id = "a"
            interval = "1m"
            timezone = "Europe/Berlin"
            working_directory = "/tmp"
            on_failure = ["b", "b"]

            [[job]]
            id = "b"

            [[quiet_hours]]
            name = "never"
            from = "01:00"
            to = "02:00"
            types = ["bacth"]
            [[quiet_hours]]
            name = "nobody"
            from = "01:00"
            to = "02:00"
            jobs = []
            """
        let configuration = try Harness.load(text)
        #expect(
            configuration.warnings.map(\.description) == [
                #"orkestron.toml:4:1: warning: "timezone" has no effect without "cron""#,
                #"orkestron.toml:5:1: warning: "working_directory" has no effect without "command" (the job is simulated)"#,
                #"orkestron.toml:6:20: warning: "b" is listed more than once in "on_failure""#,
                #"orkestron.toml:15:10: warning: no job has type "bacth""#,
                #"orkestron.toml:20:1: warning: the window applies to no job: "types" and "jobs" are empty (omit both for all jobs)"#,
            ])
        #expect(configuration.jobs[0].onFailure == ["b"])
    }

    /// Environment variable names must be usable; values must be strings.
    @Test("bad environment entries")
    func badEnvironment() {
        let text = """
            [[job]]
            id = "a"
            command = ["/bin/env"]
            environment = { "A=B" = "x", PORT = 8080 }
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:4:17: error: invalid environment variable name "A=B": it must be non-empty and contain no "=""#,
                #"orkestron.toml:4:37: error: expected a string for "PORT", found an integer"#,
            ])
    }

    /// An empty command, or one whose program is empty, cannot run.
    @Test("empty commands")
    func emptyCommands() {
        let text = """
            [[job]]
            id = "a"
            command = []
            [[job]]
            id = "b"
            command = ["", "x"]
            [[job]]
            id = "c"
            command = ["/bin/echo", 1]
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:3:11: error: "command" must not be empty: name the program to run"#,
                #"orkestron.toml:6:12: error: the program in "command" must not be empty"#,
                #"orkestron.toml:9:25: error: expected a string for each element of "command", found an integer"#,
            ])
    }

    /// Daemon values are checked too: socket mode strings, seeds, socket path length.
    @Test("daemon value checks")
    func daemonValues() {
        let long = String(repeating: "s", count: 110)
        let text = """
            [daemon]
            socket = "/\(long)"
            socket_mode = 0o660
            seed = -1
            history_retention = "0s"
            """
        #expect(
            Harness.diagnostics(text) == [
                #"orkestron.toml:2:10: error: socket path is 111 bytes long; a Unix socket path may have at most 107"#,
                #"orkestron.toml:3:15: error: expected an octal string like "0660" for "socket_mode", found an integer"#,
                #"orkestron.toml:4:8: error: expected an integer of at least 0 for "seed", found -1"#,
                #"orkestron.toml:5:21: error: expected a positive duration for "history_retention", found "0s""#,
            ])
    }

    /// A file that is not UTF-8 is reported where decoding fails.
    @Test("invalid UTF-8")
    func invalidUTF8() throws {
        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("orkestron.toml")
        try Data("a = 1\nb = \"x".utf8 + [0xFF] + Data("\"\n".utf8)).write(to: file)
        do {
            _ = try ConfigLoader.load(path: file.path, environment: Harness.environment)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "\(file.path):2:7: error: invalid UTF-8 in the file")
        }
    }

    /// Random damage to the example never crashes the loader, and every diagnostic points inside the file.
    @Test("mutated configurations give diagnostics inside the file")
    func mutationFuzz() throws {
        let original = try String(contentsOfFile: Harness.exampleConfigPath, encoding: .utf8)
        let pieces = ["=", "[", "]", "\"", "'", "\n", "#", "{", "}", ",", "x", "0", "[[job]]\n", "id = \"sync_001\"\n", ".", " "]
        var generator = SplitMix64(seed: 42)
        for _ in 0..<300 {
            var scalars = Array(original.unicodeScalars)
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let at = Int(generator.next() % UInt64(scalars.count))
                switch generator.next() % 3 {
                case 0: scalars.remove(at: at)
                case 1: scalars.insert(contentsOf: pieces[Int(generator.next() % UInt64(pieces.count))].unicodeScalars, at: at)
                default: scalars[at] = pieces[Int(generator.next() % UInt64(pieces.count))].unicodeScalars.first!
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                _ = try Harness.load(text)
            } catch {
                #expect(!error.diagnostics.isEmpty)
                for diagnostic in error.diagnostics {
                    #expect(diagnostic.file == Harness.mainPath)
                    #expect((1...lines + 1).contains(diagnostic.line), "\(diagnostic)")
                    #expect(diagnostic.column >= 1, "\(diagnostic)")
                }
            }
        }
    }

    /// A missing main file is one diagnostic at its first line.
    @Test("missing main file")
    func missingFile() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/orkestron.toml") }
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/orkestron.toml")
        } catch {
            #expect(
                error.description
                    == "/nonexistent/orkestron.toml:1:1: error: cannot read configuration: No such file or directory")
        }
    }

    /// The text form is the compiler one, so terminals and editors can jump to it.
    @Test("diagnostic description format")
    func descriptionFormat() {
        let warning = Diagnostic(file: "a.toml", line: 3, column: 7, message: "hm", severity: .warning)
        #expect(warning.description == "a.toml:3:7: warning: hm")
        let error = ConfigError(diagnostics: [Diagnostic(file: "a.toml", line: 1, column: 2, message: "no"), warning])
        #expect(error.description == "a.toml:1:2: error: no\na.toml:3:7: warning: hm")
        #expect(error.errors.count == 1)
    }
}
