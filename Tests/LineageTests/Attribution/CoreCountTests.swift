import Foundation
import Testing
@testable import Lineage

/// The real binary gives the same numbers on one core as on every core, with OpenBLAS told to use
/// four threads: studies, references and probes run in parallel but are gathered in order, and each
/// BLAS call runs on one thread. (This store's products are too small for OpenBLAS to thread; on the
/// 55-model benchmark store, two BLAS threads moved the last digits before the pin.)
@Suite(.serialized) struct CoreCountTests {
    static let taskset = "/usr/bin/taskset"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RecomputeTests.binary)
                      && FileManager.default.isExecutableFile(atPath: taskset), "needs the lineage binary and taskset"))
    func resultsDoNotDependOnTheCoresOrTheBLASThreads() throws {
        let folder = try TemporaryFolder()
        let store = try ScreenCommandTests.annotatedStore(in: folder)
        let arguments = ["screen", "--store", store, "--reference", "teacher-a", "--json", "--quiet", "--replicates", "999", "--bootstrap", "999"]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "4"
        let every = try LineageBinary.run(arguments, in: folder, environment: environment, mergingStandardError: false)
        #expect([0, 10, 11].contains(every.status))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.taskset)
        process.arguments = ["-c", "0", RecomputeTests.binary] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == every.status)

        // The two outputs differ only in when each study was made.
        func timeless(_ text: String) -> [Substring] { text.split(separator: "\n").filter { !$0.contains("\"created_at\"") } }
        let one = String(decoding: data, as: UTF8.self)
        #expect(timeless(one).count > 100)
        #expect(timeless(one) == timeless(every.output))
    }
}
