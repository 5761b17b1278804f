#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Picks OpenBLAS's kernels when its own CPU detection falls back to a generic one.
///
/// OpenBLAS 0.3.21 (Debian 12) does not recognise some newer Xeons and runs its SSE3 "Prescott"
/// kernels on them: measured here, sgemm ran at 25 GFLOP/s per core with Prescott and 134 with
/// SkylakeX on the same AVX-512 machine. OpenBLAS reads `OPENBLAS_CORETYPE` only when it loads, so
/// the tool re-executes itself once with the variable set; a user's own setting always wins.
public enum BLASCoreSelection {
    /// Kernel families OpenBLAS falls back to when it does not know the CPU.
    static let genericCores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai"]

    /// The best kernel family for a CPU with these `/proc/cpuinfo` flags, or nil for none better than generic.
    public static func recommendedCore(cpuFlags flags: Set<String>) -> String? {
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }

    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// When OpenBLAS chose a generic kernel on a CPU that can do better and nobody set
    /// `OPENBLAS_CORETYPE`, re-executes this process with it set. Returns if there is nothing to do
    /// or the re-execution fails.
    public static func reexecuteWithBetterCoreIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["LINEAGE_BLAS_CORE_CHOSEN"] == nil,
              let core = BLASInfo.current().coreType, genericCores.contains(core),
              let better = recommendedCore(cpuFlags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv("LINEAGE_BLAS_CORE_CHOSEN", "\(core)->\(better)", 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // Only reached when execv failed: carry on with the generic kernels.
    }
}

/// How many threads OpenBLAS may use for one call.
public enum BLASThreads {
    /// One thread per call: Lineage runs independent studies, references and probes on the cores
    /// itself, and OpenBLAS sums in a different order with a different thread count, so one thread
    /// also makes every result the same to the last bit on any machine with the same kernels.
    /// Does nothing on a BLAS without `openblas_set_num_threads`.
    public static func useOnePerCall() {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "openblas_set_num_threads") else { return }
        typealias SetThreads = @convention(c) (Int32) -> Void
        unsafeBitCast(symbol, to: SetThreads.self)(1)
    }
}
