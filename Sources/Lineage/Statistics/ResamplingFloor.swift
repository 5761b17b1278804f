import Foundation

/// The smallest p-value a resampling test can give: with B replicates, p = (1 + #extreme) / (1 + B)
/// is never below 1 / (1 + B). A test held to a level below that floor (α after a multiplicity
/// correction) can never reject, whatever the data, and a CI gate built on it passes everything.
/// So B is raised until the floor reaches the level, or the study is refused with the fix.
public enum ResamplingFloor {
    /// The most replicates raised to automatically (a sign-flip replicate over 1,000 probes is
    /// about a microsecond; a permutation of an MMD test costs more).
    public static let largestReplicates = 999_999

    public static func floor(replicates: Int) -> Double { 1 / Double(replicates + 1) }

    /// Replicates whose floor reaches `level`: `requested` when it does, else the smallest
    /// 10^k − 1 that does, with a note saying so for the result's warnings. Throws, with the fix,
    /// when even `largestReplicates` cannot reach it.
    public static func replicates(requested: Int, level: Double, option: String, alpha: Double,
                                  multiplicity: String? = nil) throws -> (replicates: Int, note: String?) {
        // A relative tolerance: α / K computed in floating point may sit a hair below 1/(B+1).
        if floor(replicates: requested) <= level * (1 + 1e-9) { return (requested, nil) }
        var raised = 9
        while floor(replicates: raised) > level * (1 + 1e-9) && raised < largestReplicates { raised = raised * 10 + 9 }
        let held = multiplicity.map { "the level it is held to, \(formatNumber(level)) (α = \(formatNumber(alpha)) \($0))" }
            ?? "α = \(formatNumber(level))"
        guard floor(replicates: raised) <= level * (1 + 1e-9) else {
            throw FingerprintError(description: "\(option) \(requested) gives p-values of at least \(formatNumber(floor(replicates: requested))), "
                + "above \(held); no test could reject, whatever the data. Even \(largestReplicates) replicates would not reach it.\n"
                + "  fix: use a larger --alpha (at least \(formatNumber(floor(replicates: largestReplicates) * alpha / level)))")
        }
        return (raised, "\(option) raised from \(requested) to \(raised): with \(requested) the smallest possible p-value, "
                + "\(formatNumber(floor(replicates: requested))), lies above \(held), so no test could have rejected; "
                + "the floor is now \(formatNumber(floor(replicates: raised)))")
    }
}

extension HypothesisTestResult {
    /// The smallest p-value this test could have given: its recorded floor, or 1/(1 + B) for a
    /// resampling test; nil for a test with neither.
    public var pValueFloor: Double? {
        minimumAchievablePValue ?? replicates.map(ResamplingFloor.floor(replicates:))
    }

    /// Whether the p-value is the smallest the test could give: the data may say more than it does,
    /// and only more replicates (or probes) would tell how much.
    public var pValueIsOnFloor: Bool {
        guard let floor = pValueFloor else { return false }
        return pValue <= floor * (1 + 1e-9)
    }
}
