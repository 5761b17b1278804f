import Foundation

/// Removes what answer length explains from per-probe similarities.
///
/// Two answers of similar length share more words and shapes whatever their origin, so a raw
/// similarity partly measures length matching. Over every pair of models and every probe, the
/// similarity is regressed on the pair's length mismatch |Δ log length|, its square and the pair's
/// total log length, with a fixed effect per probe (the regression runs within probes); the fitted
/// length terms are then subtracted. The adjustment is symmetric in the models, so models that are
/// exchangeable before it stay exchangeable after it; what stays is the similarity "at equal length".
public struct LengthAdjustment: Sendable {
    /// Coefficients of |Δ log length|, its square, and the sum of log lengths.
    public var coefficients: [Double]
    /// Share of the within-probe variance of pairwise similarity that length explained.
    public var explainedVariance: Double

    public static func fit(_ data: ProbeSimilarities) -> LengthAdjustment {
        let m = data.models.count
        var xtx = [[Double]](repeating: [0, 0, 0], count: 3)
        var xty = [0.0, 0.0, 0.0]
        var yy = 0.0
        for (p, matrix) in data.similarities.enumerated() {
            var rows: [([Double], Double)] = []
            for i in 0..<m {
                for j in (i + 1)..<m {
                    rows.append((covariates(data.logLengths[p][i], data.logLengths[p][j]), Double(matrix[i, j])))
                }
            }
            guard rows.count > 1 else { continue }
            let meanX = (0..<3).map { c in rows.reduce(0) { $0 + $1.0[c] } / Double(rows.count) }
            let meanY = rows.reduce(0) { $0 + $1.1 } / Double(rows.count)
            for (x, y) in rows {
                let cx = (0..<3).map { x[$0] - meanX[$0] }
                let cy = y - meanY
                for a in 0..<3 {
                    xty[a] += cx[a] * cy
                    for b in 0..<3 { xtx[a][b] += cx[a] * cx[b] }
                }
                yy += cy * cy
            }
        }
        let beta = solve(xtx, xty)
        let explained = zip(beta, xty).reduce(0) { $0 + $1.0 * $1.1 }
        return LengthAdjustment(coefficients: beta, explainedVariance: yy > 0 ? max(0, explained / yy) : 0)
    }

    static func covariates(_ a: Float, _ b: Float) -> [Double] {
        let d = Double(abs(a - b))
        return [d, d * d, Double(a + b)]
    }

    /// The similarities with the fitted length terms removed.
    public func apply(to data: ProbeSimilarities) -> ProbeSimilarities {
        var adjusted = data
        let m = data.models.count
        for p in adjusted.similarities.indices {
            for i in 0..<m {
                for j in 0..<m where i != j {
                    let x = Self.covariates(data.logLengths[p][i], data.logLengths[p][j])
                    let fitted = zip(coefficients, x).reduce(0) { $0 + $1.0 * $1.1 }
                    adjusted.similarities[p][i, j] -= Float(fitted)
                }
            }
        }
        return adjusted
    }

    /// Solves a small symmetric system by Gaussian elimination with a ridge for rank deficiency.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        let n = b.count
        var m = a
        var v = b
        let trace = (0..<n).reduce(0) { $0 + a[$1][$1] }
        for i in 0..<n { m[i][i] += 1e-9 * max(trace, 1e-12) }
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0][col]) < abs(m[$1][col]) }!
            m.swapAt(col, pivot)
            v.swapAt(col, pivot)
            guard abs(m[col][col]) > 1e-300 else { continue }
            for row in (col + 1)..<n {
                let f = m[row][col] / m[col][col]
                for k in col..<n { m[row][k] -= f * m[col][k] }
                v[row] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            guard abs(m[row][row]) > 1e-300 else { continue }
            x[row] = (v[row] - ((row + 1)..<n).reduce(0) { $0 + m[row][$1] * x[$1] }) / m[row][row]
        }
        return x
    }
}
