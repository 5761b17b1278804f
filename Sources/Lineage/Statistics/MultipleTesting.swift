import Foundation

/// Rules that combine p-values and stay valid however the tests depend on each other.
public enum MultipleTesting {
    /// Holm's step-down adjusted p-values (same order as given). The smallest of them is the
    /// Bonferroni-combined p-value of the global null "no test's null is false".
    public static func holm(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// Benjamini–Hochberg adjusted p-values (same order as given): reject every test whose adjusted
    /// p-value is at most q, and the expected share of false rejections among the rejections is at most
    /// q when the p-values are independent or positively dependent (PRDS; Benjamini & Yekutieli 2001).
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] > pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 1.0
        for (position, index) in order.enumerated() {
            let rank = m - position
            running = min(running, min(1, Double(m) / Double(rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// Tarone's (1990) modification of Bonferroni for discrete tests. A discrete test cannot reach
    /// every p-value: given its conditioning statistic (e.g. the number of discordant probes of an
    /// exact McNemar test, smallest p-value 0.5^n) its smallest achievable p-value is known before
    /// its outcome is. Let M(k) be the number of tests whose smallest achievable p-value is at most
    /// α/k, and K the smallest k ≥ 1 with M(k) ≤ k. Only those M(K) tests are kept, each at α/K;
    /// the others can never reject at that level and are left out. FWER ≤ Σ over kept true nulls of
    /// P(p ≤ α/K) ≤ α under any dependence, as for Bonferroni (Tarone 1990, Biometrics 46:515–522).
    ///
    /// Returns the adjusted p-values min(1, K·p) for kept tests and 1 for those left out (reject a
    /// test iff its adjusted p-value ≤ α: the rule is Bonferroni over the kept family), K and which
    /// tests were kept. The adjustment depends on α through K, so compare only with that α.
    public static func tarone(_ pValues: [Double], minimumAchievable: [Double], alpha: Double)
        -> (adjusted: [Double], familySize: Int, kept: [Bool]) {
        precondition(pValues.count == minimumAchievable.count, "one smallest achievable p-value per test")
        let m = pValues.count
        guard m > 0 else { return ([], 1, []) }
        var k = 1
        while k < m && minimumAchievable.filter({ $0 <= alpha / Double(k) }).count > k { k += 1 }
        let kept = minimumAchievable.map { $0 <= alpha / Double(k) }
        let adjusted = pValues.indices.map { kept[$0] ? min(1, Double(k) * pValues[$0]) : 1 }
        return (adjusted, k, kept)
    }
}
