import Foundation
import Testing
@testable import Lineage

@Suite struct CampaignLogTimeTests {
    /// Against Foundation's ISO 8601 formatter, on random times (seed recorded).
    @Test func isoRoundTripsAndAgreesWithFoundation() {
        var rng = SeededGenerator(seed: 4242)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for _ in 0..<2000 {
            let whole = Double(rng.next() % 4_000_000_000)
            let text = LogTime.iso(whole)
            #expect(text == formatter.string(from: Date(timeIntervalSince1970: whole)).replacingOccurrences(of: "Z", with: ".000Z"))
            let seconds = Double(rng.next() % 4_000_000_000_000) / 1000
            #expect(LogTime.parse(LogTime.iso(seconds)) == (seconds * 1000).rounded() / 1000)
        }
    }

    @Test func parsesOffsetsAndRejectsNonsense() {
        let base = LogTime.parse("2026-10-01T12:00:00Z")!
        #expect(LogTime.parse("2026-10-01T14:00:00+02:00") == base)
        #expect(LogTime.parse("2026-10-01T07:30:00-0430") == base)
        #expect(LogTime.parse("2026-10-01 12:00:00") == base)
        #expect(LogTime.parse("2026-10-01T12:00:00.5Z") == base + 0.5)
        #expect(LogTime.parse("yesterday") == nil)
        #expect(LogTime.parse("2026-13-01T12:00:00Z") == nil)
        #expect(LogTime.parse("2026-10-01T12:00:00Zjunk") == nil)
    }
}
