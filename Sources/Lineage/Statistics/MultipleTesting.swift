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
}
