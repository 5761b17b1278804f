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
        let pairs = m * (m - 1) / 2
        // Scalar loops in the order of the textbook two-pass form (means first, then centred sums),
        // so the sums are the same as a row-by-row computation, without a heap array per pair.
        var x0 = [Double](repeating: 0, count: pairs), x1 = x0, x2 = x0, ys = x0
        var sxx = [Double](repeating: 0, count: 9), sxy = [0.0, 0.0, 0.0]
        for (p, matrix) in data.similarities.enumerated() {
            guard pairs > 1 else { continue }
            let lengths = data.logLengths[p]
            var r = 0
            for i in 0..<m {
                for j in (i + 1)..<m {
                    let x = covariates(lengths[i], lengths[j])
                    x0[r] = x.0; x1[r] = x.1; x2[r] = x.2
                    ys[r] = Double(matrix[i, j])
                    r += 1
                }
            }
            var m0 = 0.0, m1 = 0.0, m2 = 0.0, my = 0.0
            for r in 0..<pairs { m0 += x0[r] }
            for r in 0..<pairs { m1 += x1[r] }
            for r in 0..<pairs { m2 += x2[r] }
            for r in 0..<pairs { my += ys[r] }
            let n = Double(pairs)
            m0 /= n; m1 /= n; m2 /= n; my /= n
            for k in 0..<9 { sxx[k] = xtx[k / 3][k % 3] }
            for k in 0..<3 { sxy[k] = xty[k] }
            for r in 0..<pairs {
                let c = (x0[r] - m0, x1[r] - m1, x2[r] - m2)
                let cy = ys[r] - my
                sxy[0] += c.0 * cy; sxx[0] += c.0 * c.0; sxx[1] += c.0 * c.1; sxx[2] += c.0 * c.2
                sxy[1] += c.1 * cy; sxx[3] += c.1 * c.0; sxx[4] += c.1 * c.1; sxx[5] += c.1 * c.2
                sxy[2] += c.2 * cy; sxx[6] += c.2 * c.0; sxx[7] += c.2 * c.1; sxx[8] += c.2 * c.2
                yy += cy * cy
            }
            for k in 0..<9 { xtx[k / 3][k % 3] = sxx[k] }
            for k in 0..<3 { xty[k] = sxy[k] }
        }
        let beta = solve(xtx, xty)
        let explained = zip(beta, xty).reduce(0) { $0 + $1.0 * $1.1 }
        return LengthAdjustment(coefficients: beta, explainedVariance: yy > 0 ? max(0, explained / yy) : 0)
    }

    static func covariates(_ a: Float, _ b: Float) -> (Double, Double, Double) {
        let d = Double(abs(a - b))
        return (d, d * d, Double(a + b))
    }

    /// The similarities with the fitted length terms removed.
    public func apply(to data: ProbeSimilarities) -> ProbeSimilarities {
        var adjusted = data
        let m = data.models.count
        let c = (coefficients[0], coefficients[1], coefficients[2])
        for p in adjusted.similarities.indices {
            let lengths = data.logLengths[p]
            adjusted.similarities[p].values.withUnsafeMutableBufferPointer { out in
                for i in 0..<m {
                    for j in 0..<m where i != j {
                        let x = Self.covariates(lengths[i], lengths[j])
                        let fitted = 0.0 + c.0 * x.0 + c.1 * x.1 + c.2 * x.2
                        out[i * m + j] -= Float(fitted)
                    }
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
