import Foundation
import Testing
@testable import Lineage

/// `--centre-on-store` (`FingerprintBuilder.centringModels`): the cosines of fingerprints centred on
/// every model's mean fingerprint of the probe, against a naive dense computation from the rows.
@Suite struct CentringTests {
    @Test func centredCosinesEqualANaiveComputation() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        let pool = ["a", "b", "c", "d", "e"]
        // Even styles: one sample per model, so that no row is an average of two.
        let responses = FingerprintDistanceTests.responses(styles: Dictionary(uniqueKeysWithValues: pool.enumerated().map { ($1, 2 * ($0 % 3)) }),
                                                           answers: (0..<12).map { _ in pool }, turns: 1, seed: seed)
        // Two blocks every answer has, so that every row has the same norm before normalisation.
        let weights = FingerprintWeights(words: 1, characters: 1, openings: 0, style: 0, markers: 0, identity: 0)
        var builder = FingerprintBuilder(weights: weights)
        builder.centringModels = pool
        let studied = ["c", "a", "b"]
        let centred = try builder.similarities(of: responses, models: studied)
        let rows = try FingerprintBuilder(weights: weights).fingerprintRows(of: responses, models: pool)
        #expect(centred.probes.count == 12)
        for (p, probe) in centred.probes.enumerated() {
            let q = try #require(rows.probes.firstIndex { $0.probeID == probe.probeID })
            var dense = [[Double]](repeating: [Double](repeating: 0, count: rows.width), count: pool.count)
            for (r, owner) in rows.owners.enumerated() where owner.probe == q {
                for k in rows.rowStarts[r]..<rows.rowStarts[r + 1] { dense[owner.model][Int(rows.columns[k])] = Double(rows.values[k]) }
            }
            let mean = (0..<rows.width).map { c in dense.reduce(0) { $0 + $1[c] } / Double(pool.count) }
            let centredRows = dense.map { row in zip(row, mean).map { $0 - $1 } }
            func cosine(_ x: [Double], _ y: [Double]) -> Double {
                zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / (x.reduce(0) { $0 + $1 * $1 } * y.reduce(0) { $0 + $1 * $1 }).squareRoot()
            }
            for (i, x) in studied.enumerated() {
                for (j, y) in studied.enumerated() where i != j {
                    let naive = cosine(centredRows[pool.firstIndex(of: x)!], centredRows[pool.firstIndex(of: y)!])
                    #expect(abs(Double(centred.similarities[p][i, j]) - naive) < 1e-4, "seed \(seed), probe \(p), \(x)–\(y)")
                }
            }
        }
        // Without centring, the builder is unchanged: centring on nobody is the plain cosine.
        let plain = try FingerprintBuilder(weights: weights).similarities(of: responses, models: studied)
        #expect(plain.similarities != centred.similarities)
    }
}
