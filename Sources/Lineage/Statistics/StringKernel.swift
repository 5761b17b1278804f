import Foundation

/// Character string kernels of Gao, Liang & Guestrin (2024), "Model Equality Testing", as their
/// reference implementation (PyPI `model-equality-testing` 0.0.2, `tests.py`) computes them:
/// strings are sequences of Unicode code points, right-padded with a pad symbol (-1) to the
/// longest string in the test, and the pad symbol takes part in the kernel like any other.
/// Kernel values are normalised to K(x, y) / √(K(x, x) K(y, y)).
public enum StringKernel: Sendable, Equatable, CustomStringConvertible {
    /// K(x, y) = number of positions where x and y hold the same symbol (`mmd_hamming`).
    case hamming
    /// K(x, y) = Σ over substrings s of length 1...k (or exactly k) of #(s in x)·#(s in y) (`mmd_kspectrum`).
    case kSpectrum(k: Int, cumulative: Bool)

    public var description: String {
        switch self {
        case .hamming: "Hamming kernel over characters"
        case let .kSpectrum(k, cumulative): "\(k)-spectrum kernel over characters" + (cumulative ? " (all substrings of length 1 to \(k))" : "")
        }
    }

    static let pad: Int32 = -1

    /// Padded code-point sequences.
    static func sequences(_ strings: [String], length: Int) -> [[Int32]] {
        strings.map { s in
            var codes = s.unicodeScalars.map { Int32($0.value) }
            if codes.count > length { codes.removeLast(codes.count - length) }
            return codes + [Int32](repeating: pad, count: length - codes.count)
        }
    }

    /// The normalised kernel matrix of padded sequences (all pairs).
    func matrix(_ sequences: [[Int32]]) -> [[Double]] {
        let n = sequences.count
        var k = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        switch self {
        case .hamming:
            for i in 0..<n {
                for j in i..<n {
                    var matches = 0
                    for (x, y) in zip(sequences[i], sequences[j]) where x == y { matches += 1 }
                    k[i][j] = Double(matches)
                    k[j][i] = Double(matches)
                }
            }
        case let .kSpectrum(order, cumulative):
            let counts = sequences.map { Self.gramCounts($0, order: order, cumulative: cumulative) }
            for i in 0..<n {
                for j in i..<n {
                    let (small, large) = counts[i].count <= counts[j].count ? (counts[i], counts[j]) : (counts[j], counts[i])
                    var dot = 0.0
                    for (gram, count) in small { if let other = large[gram] { dot += Double(count) * Double(other) } }
                    k[i][j] = dot
                    k[j][i] = dot
                }
            }
        }
        let scale = (0..<n).map { k[$0][$0] > 0 ? k[$0][$0].squareRoot() : 1 }
        for i in 0..<n { for j in 0..<n { k[i][j] /= scale[i] * scale[j] } }
        return k
    }

    struct Gram: Hashable {
        var symbols: [Int32]
    }

    static func gramCounts(_ sequence: [Int32], order: Int, cumulative: Bool) -> [Gram: Int] {
        var counts: [Gram: Int] = [:]
        for length in (cumulative ? 1 : order)...order where length <= sequence.count {
            for start in 0...(sequence.count - length) {
                counts[Gram(symbols: Array(sequence[start..<(start + length)])), default: 0] += 1
            }
        }
        return counts
    }
}
