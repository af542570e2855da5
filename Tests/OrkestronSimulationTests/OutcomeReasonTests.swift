import OrkestronSimulation
import Testing

/// The engine's SKIPPED and DEFERRED reasons, reduced to the categories the report counts.
@Suite("Outcome reasons")
struct OutcomeReasonTests {
    @Test("skip reasons are classified by cause, whatever run ids and times they carry")
    func skipReasons() {
        #expect(OutcomeReason(skipped: "overlap skip: previous run a-000041 still active") == .overlap)
        #expect(OutcomeReason(skipped: "deadline passed: not started within 60000 ms of its slot") == .deadline)
        #expect(OutcomeReason(skipped: "coalesced into a-000007 after quiet hours") == .coalesced)
        #expect(OutcomeReason(skipped: "missed while the daemon was down (missed = skip)") == .missed)
        #expect(OutcomeReason(skipped: "quiet hours 'night'") == .quietHours("night"))
        #expect(OutcomeReason(skipped: "something new") == .other("something new"))
        #expect(OutcomeReason(skipped: nil).key == "unspecified")
    }

    @Test("defer reasons name their window, even when the name has quotes and spaces")
    func deferReasons() {
        #expect(OutcomeReason(deferred: "quiet hours 'night' until 2026-03-02T06:00:00+01:00") == .quietHours("night"))
        let odd = "it's late"
        #expect(
            OutcomeReason(deferred: "quiet hours 'it's late' until 2026-03-02T06:00:00Z", windows: [odd])
                == .quietHours(odd))
        #expect(OutcomeReason(skipped: "quiet hours 'it's late'", windows: [odd]) == .quietHours(odd))
        #expect(OutcomeReason.quietHours("night").key == "quiet hours 'night'")
    }
}
