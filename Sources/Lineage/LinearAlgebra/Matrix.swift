import CLinearAlgebra

/// A dense, row-major Float32 matrix: the one numeric currency of Lineage.
///
/// Fingerprints are matrices (one row per response or model, one column per feature) and every
/// similarity is a product of two of them, so each operation here is a single BLAS or LAPACK call.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major values: element (r, c) is at `r * columns + c`.
    public var values: [Float]

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must not be negative")
        self.rows = rows
        self.columns = columns
        self.values = [Float](repeating: value, count: rows * columns)
    }

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must not be negative")
        precondition(values.count == rows * columns, "expected \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Builds a matrix from equally long rows.
    public init(_ rowArrays: [[Float]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "rows differ in length")
        self.init(rows: rowArrays.count, columns: columns, values: rowArrays.flatMap { $0 })
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    public func row(_ r: Int) -> ArraySlice<Float> {
        values[(r * columns)..<((r + 1) * columns)]
    }

    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns { t.values[c * rows + r] = values[r * columns + c] }
        }
        return t
    }
}

// MARK: - BLAS

extension Matrix {
    /// `op(self) · op(other)` by `sgemm`, where `op` optionally transposes.
    public func multiplied(by other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? columns : rows
        let k = transposeSelf ? rows : columns
        let k2 = transposeOther ? other.columns : other.rows
        let n = transposeOther ? other.rows : other.columns
        precondition(k == k2, "inner dimensions differ: \(k) and \(k2)")
        var result = Matrix(rows: m, columns: n)
        guard m > 0, n > 0, k > 0 else { return result }
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                result.values.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(
                        CblasRowMajor,
                        transposeSelf ? CblasTrans : CblasNoTrans,
                        transposeOther ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k),
                        1, a.baseAddress, Int32(max(1, columns)),
                        b.baseAddress, Int32(max(1, other.columns)),
                        0, c.baseAddress, Int32(max(1, n)))
                }
            }
        }
        return result
    }

    /// `self · selfᵀ` by `ssyrk` (half the work of `sgemm`), with both triangles filled.
    public func gram() -> Matrix {
        var result = Matrix(rows: rows, columns: rows)
        guard rows > 0, columns > 0 else { return result }
        values.withUnsafeBufferPointer { a in
            result.values.withUnsafeMutableBufferPointer { c in
                cblas_ssyrk(
                    CblasRowMajor, CblasUpper, CblasNoTrans,
                    Int32(rows), Int32(columns),
                    1, a.baseAddress, Int32(columns),
                    0, c.baseAddress, Int32(rows))
            }
        }
        for i in 0..<rows {
            for j in 0..<i { result.values[i * rows + j] = result.values[j * rows + i] }
        }
        return result
    }

    /// `B · Bᵀ` for the block `B` of columns `columns` (every row), by one `sgemm` on the block in
    /// place (no copy); both triangles are filled and exactly symmetric.
    public func gram(ofColumns columnRange: Range<Int>) -> Matrix {
        precondition(columnRange.lowerBound >= 0 && columnRange.upperBound <= columns, "columns \(columnRange) outside 0..<\(columns)")
        var result = Matrix(rows: rows, columns: rows)
        guard rows > 0, !columnRange.isEmpty else { return result }
        values.withUnsafeBufferPointer { a in
            result.values.withUnsafeMutableBufferPointer { c in
                let block = a.baseAddress! + columnRange.lowerBound
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(rows), Int32(columnRange.count),
                            1, block, Int32(columns), block, Int32(columns), 0, c.baseAddress, Int32(rows))
            }
        }
        for i in 0..<rows {
            for j in 0..<i { result.values[i * rows + j] = result.values[j * rows + i] }
        }
        return result
    }

    /// For a Gram matrix of inner products, the cosines `Gᵢⱼ / √(Gᵢᵢ Gⱼⱼ)`; rows and columns of a
    /// zero vector (Gᵢᵢ = 0) are 0, as `normalizeRows` leaves an all-zero row zero.
    public func cosines() -> Matrix {
        precondition(rows == columns, "cosines need a square Gram matrix")
        let scale = (0..<rows).map { values[$0 * columns + $0] > 0 ? 1 / values[$0 * columns + $0].squareRoot() : 0 }
        var result = self
        for i in 0..<rows {
            for j in 0..<columns { result.values[i * columns + j] *= scale[i] * scale[j] }
        }
        return result
    }

    /// `self += factor · other`, element by element.
    public mutating func add(_ other: Matrix, scaledBy factor: Float = 1) {
        precondition(rows == other.rows && columns == other.columns, "shapes differ")
        for i in values.indices { values[i] += factor * other.values[i] }
    }

    /// `op(self) · vector` by `sgemv`.
    public func multiplied(by vector: [Float], transposeSelf: Bool = false) -> [Float] {
        let inner = transposeSelf ? rows : columns
        let outer = transposeSelf ? columns : rows
        precondition(vector.count == inner, "vector has \(vector.count) entries, expected \(inner)")
        var result = [Float](repeating: 0, count: outer)
        guard outer > 0, inner > 0 else { return result }
        values.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    cblas_sgemv(
                        CblasRowMajor, transposeSelf ? CblasTrans : CblasNoTrans,
                        Int32(rows), Int32(columns),
                        1, a.baseAddress, Int32(max(1, columns)),
                        x.baseAddress, 1, 0, y.baseAddress, 1)
                }
            }
        }
        return result
    }

    /// Scales every row to unit Euclidean length; all-zero rows stay zero.
    public mutating func normalizeRows() {
        guard columns > 0 else { return }
        let n = Int32(columns)
        values.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<rows {
                let start = buffer.baseAddress! + r * columns
                let norm = cblas_snrm2(n, start, 1)
                if norm > 0 { cblas_sscal(n, 1 / norm, start, 1) }
            }
        }
    }

    public func rowNormalized() -> Matrix {
        var copy = self
        copy.normalizeRows()
        return copy
    }
}

// MARK: - LAPACK

/// A LAPACK routine reported failure; `info` is its return code.
public struct LinearAlgebraError: Error, CustomStringConvertible, Sendable {
    public let routine: String
    public let info: Int32
    public var description: String {
        info < 0
            ? "\(routine): argument \(-info) was invalid"
            : "\(routine): the algorithm failed to converge (info \(info))"
    }
}

extension Matrix {
    /// Eigenvalues (ascending) and eigenvectors (as columns) of a symmetric matrix, by `ssyevd`.
    /// Only the upper triangle is read.
    public func symmetricEigen() throws -> (values: [Float], vectors: Matrix) {
        precondition(rows == columns, "symmetricEigen needs a square matrix")
        let n = rows
        guard n > 0 else { return ([], Matrix(rows: 0, columns: 0)) }
        var a = values
        var w = [Float](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_ssyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")),
                               Int32(n), ap.baseAddress, Int32(n), wp.baseAddress)
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "ssyevd", info: info) }
        return (w, Matrix(rows: n, columns: n, values: a))
    }

    /// Thin singular value decomposition `self = U · diag(S) · Vᵀ` by `sgesdd`;
    /// singular values are descending, `U` is rows×k and `Vᵀ` is k×columns with k = min(rows, columns).
    public func singularValueDecomposition() throws -> (u: Matrix, singularValues: [Float], vt: Matrix) {
        let m = rows, n = columns, k = min(rows, columns)
        guard k > 0 else {
            return (Matrix(rows: m, columns: 0), [], Matrix(rows: 0, columns: n))
        }
        var a = values
        var s = [Float](repeating: 0, count: k)
        var u = [Float](repeating: 0, count: m * k)
        var vt = [Float](repeating: 0, count: k * n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            s.withUnsafeMutableBufferPointer { sp in
                u.withUnsafeMutableBufferPointer { up in
                    vt.withUnsafeMutableBufferPointer { vp in
                        LAPACKE_sgesdd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n),
                                       ap.baseAddress, Int32(n), sp.baseAddress,
                                       up.baseAddress, Int32(k), vp.baseAddress, Int32(n))
                    }
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "sgesdd", info: info) }
        return (Matrix(rows: m, columns: k, values: u), s, Matrix(rows: k, columns: n, values: vt))
    }
}
