import Foundation

/// The exact paired test for "the suspect makes a claim on more probes than the control does"
/// (McNemar's exact test, one-sided): of the probes where exactly one of the two makes the claim,
/// the number where it is the suspect is Binomial(discordant, 1/2) under the null that the two
/// are exchangeable on each probe.
public enum PairedClaimTest {
    public struct Outcome: Sendable, Equatable {
        public var suspectOnly: Int
        public var controlOnly: Int
        public var pValue: Double
    }

    public static func test(suspect: [Bool], control: [Bool]) -> Outcome {
        precondition(suspect.count == control.count, "paired series differ in length")
        let suspectOnly = zip(suspect, control).filter { $0 && !$1 }.count
        let controlOnly = zip(suspect, control).filter { !$0 && $1 }.count
        return Outcome(suspectOnly: suspectOnly, controlOnly: controlOnly,
                       pValue: Distributions.binomialHalfUpperTail(atLeast: suspectOnly, of: suspectOnly + controlOnly))
    }
}
