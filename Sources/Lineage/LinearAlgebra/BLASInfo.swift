#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which BLAS the process is running on, for reports and benchmarks.
///
/// The generic `libblas` may be OpenBLAS, reference BLAS or another implementation chosen by the
/// system's alternatives; OpenBLAS is recognised by its own entry points, looked up at run time.
public struct BLASInfo: Sendable, Codable, Equatable {
    /// e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64", or "unknown BLAS".
    public let configuration: String
    /// OpenBLAS's kernel family (e.g. "Haswell", "SkylakeX"), when known.
    public let coreType: String?
    /// Threads BLAS may use, when known.
    public let threads: Int?

    public static func current() -> BLASInfo {
        guard let handle = dlopen(nil, RTLD_NOW) else {
            return BLASInfo(configuration: "unknown BLAS", coreType: nil, threads: nil)
        }
        typealias StringFunction = @convention(c) () -> UnsafePointer<CChar>?
        typealias IntFunction = @convention(c) () -> Int32
        func string(_ name: String) -> String? {
            guard let symbol = dlsym(handle, name) else { return nil }
            let function = unsafeBitCast(symbol, to: StringFunction.self)
            return function().map { String(cString: $0) }
        }
        func integer(_ name: String) -> Int? {
            guard let symbol = dlsym(handle, name) else { return nil }
            return Int(unsafeBitCast(symbol, to: IntFunction.self)())
        }
        let config = string("openblas_get_config")
        return BLASInfo(
            configuration: config ?? "reference or unknown BLAS (no OpenBLAS entry points)",
            coreType: string("openblas_get_corename"),
            threads: integer("openblas_get_num_threads"))
    }
}
