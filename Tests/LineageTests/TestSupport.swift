import Foundation
@testable import Lineage

/// A fresh temporary folder per test, removed when the value goes away.
final class TemporaryFolder: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lineage-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let target = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
        return target.path
    }

    func store(_ name: String = "store.sqlite") throws -> ResponseStore {
        try ResponseStore(path: path(name))
    }
}

/// Runs the real `lineage` binary (`LocalModelsIntegrationTests.binary`) and returns its exit status
/// and what it printed: standard output and standard error together, or standard output alone.
enum LineageBinary {
    static func run(_ arguments: [String], in folder: TemporaryFolder, environment: [String: String]? = nil,
                    mergingStandardError: Bool = true) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LocalModelsIntegrationTests.binary)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let log = folder.path("out-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = mergingStandardError ? handle : FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOfFile: log, encoding: .utf8))
    }
}
