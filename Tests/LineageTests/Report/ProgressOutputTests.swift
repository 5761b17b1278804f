import Foundation
import Testing
@testable import Lineage

/// Progress on long work: counts on a terminal's standard error, nothing at all on a pipe or with
/// --quiet. The terminal is a real pseudo-terminal (util-linux `script`).
@Suite(.serialized) struct ProgressOutputTests {
    static let script = "/usr/bin/script"

    /// The commands with long steps, on an annotated store, each with the count it should show.
    static func commands(store: String, pairs: String) -> [(arguments: [String], count: String)] {
        let fast = ["--replicates", "199", "--bootstrap", "199"]
        return [
            (["tree", "--store", store, "--bootstrap", "40"], "bootstrap tree 40/40"),
            (["similarity", "--store", store], "reading answers to probe 24/24"),
            (["attribute", "--store", store, "--suspect", "suspect-1", "--reference", "teacher-a", "--exit-zero"] + fast,
             "reading answers to probe 24/24"),
            (["attribute", "--store", store, "--pairs", pairs, "--exit-zero"] + fast, "study 2/2"),
            (["screen", "--store", store, "--reference", "teacher-a", "--suspect", "suspect-1", "--suspect", "suspect-2", "--exit-zero"] + fast,
             "study 2/2"),
        ]
    }

    static func fixture(_ folder: TemporaryFolder) throws -> (store: String, pairs: String) {
        let store = try ScreenCommandTests.annotatedStore(in: folder)
        let pairs = try folder.write("pairs.jsonl", """
            {"suspect": "suspect-1", "references": ["teacher-a"]}
            {"suspect": "suspect-2", "references": ["teacher-a"]}

            """)
        return (store, pairs)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RecomputeTests.binary), "needs the lineage binary (swift build)"))
    func aPipeGetsNoProgress() throws {
        let folder = try TemporaryFolder()
        let (store, pairs) = try Self.fixture(folder)
        for (arguments, _) in Self.commands(store: store, pairs: pairs) {
            let errors = folder.path("stderr.txt")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: RecomputeTests.binary)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["TERM": "xterm"]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            FileManager.default.createFile(atPath: errors, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
            process.standardError = handle
            try process.run()
            process.waitUntilExit()
            try handle.close()
            #expect(process.terminationStatus == 0, "\(arguments.joined(separator: " "))")
            let text = try String(contentsOfFile: errors, encoding: .utf8)
            #expect(!text.contains("lineage:") && !text.contains("\u{1B}"), "\(arguments[0]): \(text)")
        }
    }

    /// Standard output and standard error of `arguments` run on a pseudo-terminal.
    static func onTerminal(_ arguments: [String], in folder: TemporaryFolder, environment: [String: String] = [:]) throws -> String {
        let command = ([RecomputeTests.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try LineageBinaryTerminal.run(command, in: folder, environment: environment)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RecomputeTests.binary) && FileManager.default.isExecutableFile(atPath: script),
                   "needs the lineage binary and util-linux script"))
    func aTerminalGetsCountsUnlessQuiet() throws {
        let folder = try TemporaryFolder()
        let (store, pairs) = try Self.fixture(folder)
        for (arguments, count) in Self.commands(store: store, pairs: pairs) {
            let shown = try Self.onTerminal(arguments, in: folder)
            #expect(shown.contains("lineage: ") && shown.contains(count), "\(arguments[0]) should show \(count): \(shown.suffix(400))")
            // Each progress line is erased: the last one drawn is followed by an erase before the result.
            #expect(shown.contains("\r\u{1B}[K"))
            let quiet = try Self.onTerminal(arguments + ["--quiet"], in: folder)
            #expect(!quiet.contains("lineage: ") && !quiet.contains("\u{1B}[K"), "\(arguments[0]) --quiet: \(quiet.suffix(400))")
            // NO_COLOR changes nothing: Lineage prints no colour, and progress is not colour.
            let noColour = try Self.onTerminal(arguments, in: folder, environment: ["NO_COLOR": "1"])
            #expect(!noColour.contains("\u{1B}[3") && !noColour.contains("\u{1B}[1m"))
        }
        // A dumb terminal cannot redraw a line: no progress there either.
        let dumb = try Self.onTerminal(Self.commands(store: store, pairs: pairs)[0].arguments, in: folder, environment: ["TERM": "dumb"])
        #expect(!dumb.contains("lineage: "))
    }
}

/// Runs a shell command line under `script`, so that its standard output and error are a terminal.
enum LineageBinaryTerminal {
    static func run(_ command: String, in folder: TemporaryFolder, environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProgressOutputTests.script)
        let log = folder.path("terminal-\(UUID().uuidString).log")
        process.arguments = ["-qefc", command, log]
        process.environment = ProcessInfo.processInfo.environment.merging(["TERM": "xterm"].merging(environment) { $1 }) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try String(contentsOfFile: log, encoding: .utf8)
    }
}
