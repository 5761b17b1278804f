import Foundation

/// Power of the paired one-sided tests over probes, by the normal approximation to the sign-flip
/// test of a mean: with P probes and a standardised per-probe effect d (mean / standard deviation),
/// power ≈ Φ(d·√P − z₁₋α).
public enum PowerAnalysis {
    /// The standardised effect that matters: 0.25 probe-to-probe standard deviations. A suspect
    /// trained on R's outputs to a degree worth knowing leans toward R on the typical probe by at
    /// least this much more than an unrelated model — roughly, more R-like than the control on 60%
    /// of probes rather than 50%. Strongly distilled students on lineage-dev lean by 0.5 or more.
    public static let standardizedEffectThatMatters = 0.25

    public static func power(standardizedEffect d: Double, probes: Int, alpha: Double) -> Double {
        Distributions.normalCDF(d * Double(probes).squareRoot() - Distributions.normalQuantile(1 - alpha))
    }

    /// Probes needed for the given power at a one-sided level alpha.
    public static func probesNeeded(standardizedEffect d: Double, alpha: Double, power: Double = 0.8) -> Int {
        guard d > 0 else { return Int.max }
        let z = Distributions.normalQuantile(1 - alpha) + Distributions.normalQuantile(power)
        return Int((z / d * z / d).rounded(.up))
    }
}
