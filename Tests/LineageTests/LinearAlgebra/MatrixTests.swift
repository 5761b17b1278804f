import Foundation
import Testing
@testable import Lineage

/// Every BLAS/LAPACK-backed operation against a naive Float64 implementation on fresh random
/// inputs of odd shapes. The seed is printed so that a failure can be reproduced.
@Suite struct MatrixTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("MatrixTests seed: \(seed)")
        return seed
    }()

    static func random(_ rows: Int, _ columns: Int, _ rng: inout SeededGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in rng.nextSignedUnitFloat() })
    }

    static func naiveProduct(_ a: Matrix, _ b: Matrix) -> [Double] {
        var c = [Double](repeating: 0, count: a.rows * b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                var sum = 0.0
                for k in 0..<a.columns { sum += Double(a[i, k]) * Double(b[k, j]) }
                c[i * b.columns + j] = sum
            }
        }
        return c
    }

    /// Max absolute error relative to the scale of the terms (sum of |a||b| magnitudes ~ k).
    static func assertClose(_ actual: [Float], _ expected: [Double], scale: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        let error = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(error <= 1e-5 * max(scale, 1), "max error \(error) at scale \(scale)", sourceLocation: sourceLocation)
    }

    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 3), (5, 1, 4), (13, 17, 11), (64, 3, 129), (31, 100, 1), (2, 2, 257)]

    @Test func productMatchesNaive() {
        var rng = SeededGenerator(seed: seed)
        for (m, k, n) in Self.shapes {
            let a = Self.random(m, k, &rng), b = Self.random(k, n, &rng)
            Self.assertClose(a.multiplied(by: b).values, Self.naiveProduct(a, b), scale: Double(k))
            // Transposed operands give the same product.
            let viaTransposes = a.transposed.multiplied(by: b.transposed, transposeSelf: true, transposeOther: true)
            Self.assertClose(viaTransposes.values, Self.naiveProduct(a, b), scale: Double(k))
        }
    }

    @Test func gramMatchesProductWithTranspose() {
        var rng = SeededGenerator(seed: seed &+ 1)
        for (m, k, _) in Self.shapes {
            let a = Self.random(m, k, &rng)
            let gram = a.gram()
            #expect(gram.rows == m && gram.columns == m)
            Self.assertClose(gram.values, Self.naiveProduct(a, a.transposed), scale: Double(k))
        }
    }

    @Test func gramOfAColumnBlockMatchesNaive() {
        var rng = SeededGenerator(seed: seed &+ 5)
        for (m, k, _) in Self.shapes {
            let a = Self.random(m, k + 3, &rng)
            for range in [0..<k, 1..<(k + 2), (k + 3)..<(k + 3), 2..<(k + 3)] {
                var block = Matrix(rows: m, columns: range.count)
                for i in 0..<m { for (j, c) in range.enumerated() { block[i, j] = a[i, c] } }
                let gram = a.gram(ofColumns: range)
                #expect(gram.rows == m && gram.columns == m)
                Self.assertClose(gram.values, Self.naiveProduct(block, block.transposed), scale: Double(range.count))
                #expect((0..<m).allSatisfy { i in (0..<m).allSatisfy { gram[i, $0] == gram[$0, i] } })
            }
        }
    }

    @Test func matrixVectorMatchesNaive() {
        var rng = SeededGenerator(seed: seed &+ 2)
        for (m, k, _) in Self.shapes {
            let a = Self.random(m, k, &rng)
            let x = (0..<k).map { _ in rng.nextSignedUnitFloat() }
            let column = Matrix(rows: k, columns: 1, values: x)
            Self.assertClose(a.multiplied(by: x), Self.naiveProduct(a, column), scale: Double(k))
            let y = (0..<m).map { _ in rng.nextSignedUnitFloat() }
            Self.assertClose(a.multiplied(by: y, transposeSelf: true),
                             Self.naiveProduct(a.transposed, Matrix(rows: m, columns: 1, values: y)), scale: Double(m))
        }
    }

    @Test func emptyShapes() throws {
        let empty = Matrix(rows: 0, columns: 5)
        #expect(empty.multiplied(by: Matrix(rows: 5, columns: 3)).rows == 0)
        let inner = Matrix(rows: 2, columns: 0).multiplied(by: Matrix(rows: 0, columns: 3))
        #expect(inner == Matrix(rows: 2, columns: 3))
        #expect(empty.gram() == Matrix(rows: 0, columns: 0))
        #expect(Matrix(rows: 3, columns: 0).gram() == Matrix(rows: 3, columns: 3))
        #expect(Matrix(rows: 0, columns: 4).multiplied(by: [Float](), transposeSelf: true) == [0, 0, 0, 0])
        var zeros = Matrix(rows: 2, columns: 0)
        zeros.normalizeRows()
        #expect(try Matrix(rows: 0, columns: 0).symmetricEigen().values.isEmpty)
        #expect(try Matrix(rows: 0, columns: 3).singularValueDecomposition().singularValues.isEmpty)
    }

    @Test func rowNormalisation() {
        var rng = SeededGenerator(seed: seed &+ 3)
        var a = Self.random(9, 23, &rng)
        for c in 0..<23 { a[4, c] = 0 }
        let original = a
        a.normalizeRows()
        for r in 0..<9 {
            let norm = original.row(r).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            for c in 0..<23 {
                let expected = norm > 0 ? Double(original[r, c]) / norm : 0
                #expect(abs(Double(a[r, c]) - expected) < 1e-6)
            }
        }
    }

    @Test func symmetricEigenReconstructs() throws {
        var rng = SeededGenerator(seed: seed &+ 4)
        for n in [1, 2, 7, 33] {
            let b = Self.random(n, n + 3, &rng)
            let s = b.gram()  // symmetric positive semi-definite
            let (values, vectors) = try s.symmetricEigen()
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "eigenvalues ascend")
            // S·v = λ·v for every eigenpair, checked in Float64.
            for j in 0..<n {
                for i in 0..<n {
                    var sv = 0.0
                    for k in 0..<n { sv += Double(s[i, k]) * Double(vectors[k, j]) }
                    let lambda = Double(values[j]) * Double(vectors[i, j])
                    #expect(abs(sv - lambda) < 1e-4 * Double(n + 3))
                }
            }
            // Trace equals the sum of eigenvalues.
            let trace = (0..<n).reduce(0.0) { $0 + Double(s[$1, $1]) }
            #expect(abs(trace - values.reduce(0.0) { $0 + Double($1) }) < 1e-4 * max(1, trace))
        }
    }

    @Test func singularValueDecompositionReconstructs() throws {
        var rng = SeededGenerator(seed: seed &+ 5)
        for (m, n) in [(1, 1), (1, 6), (6, 1), (9, 4), (4, 9), (30, 17)] {
            let a = Self.random(m, n, &rng)
            let (u, s, vt) = try a.singularValueDecomposition()
            let k = min(m, n)
            #expect(u.rows == m && u.columns == k && vt.rows == k && vt.columns == n && s.count == k)
            #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 } && s.allSatisfy { $0 >= 0 })
            var scaled = u
            for r in 0..<m { for c in 0..<k { scaled[r, c] *= s[c] } }
            Self.assertClose(scaled.multiplied(by: vt).values, a.values.map(Double.init), scale: Double(max(m, n)))
            // Singular values squared are the eigenvalues of A·Aᵀ (closed-form link between the two).
            let eigen = try a.gram().symmetricEigen().values.suffix(k).reversed().map(Double.init)
            for (sigma, lambda) in zip(s, eigen) { #expect(abs(Double(sigma * sigma) - lambda) < 1e-3 * max(1, lambda)) }
        }
    }
}

@Suite struct BLASCoreSelectionTests {
    @Test func recommendsTheWidestKernelTheFlagsAllow() {
        let avx512: Set = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
        #expect(BLASCoreSelection.recommendedCore(cpuFlags: avx512) == "SkylakeX")
        #expect(BLASCoreSelection.recommendedCore(cpuFlags: avx512.subtracting(["avx512bw"])) == "Haswell")
        #expect(BLASCoreSelection.recommendedCore(cpuFlags: ["sse3", "avx"]) == "Sandybridge")
        #expect(BLASCoreSelection.recommendedCore(cpuFlags: ["sse3"]) == nil)
    }
}
