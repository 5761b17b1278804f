import Foundation

/// Power of the paired one-sided tests over probes, by the normal approximation to the sign-flip
/// test of a mean: with P probes and a standardised per-probe effect d (mean / standard deviation),
/// power ≈ Φ(d·√P − z₁₋α).
public enum PowerAnalysis {
    /// The standardised effect that matters: 0.1 probe-to-probe standard deviations of the per-probe
    /// effect. Weakly distilled students (Alpaca, GPT4All, Nous-Hermes on MT-bench) lean toward their
    /// teacher by about this much beyond human-data controls, and they were trained on its outputs:
    /// such effects matter, so `no-evidence` must rule them out. It takes about 600 probes to detect
    /// one with 80% power (α = 0.025); with fewer, a study that finds nothing is `inconclusive`
    /// unless the suspect clearly leans away. Strongly distilled students lean by 0.3 or more.
    public static let standardizedEffectThatMatters = 0.1

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
