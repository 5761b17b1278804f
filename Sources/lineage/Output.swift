import Foundation
import Lineage

/// Exit codes, documented in the README so that scripts and CI jobs can act on them.
enum ExitCodes {
    static let success: Int32 = 0
    /// A command failed for a reason other than its input.
    static let failure: Int32 = 1
    /// Bad input: a file, an option or a configuration that cannot be used. Nothing was written.
    static let badInput: Int32 = 2
}

/// Everything the tool prints goes through `Escape.terminal`: data strings (model names, probe
/// ids, answers) may hold terminal escape sequences or bidirectional overrides, which show as
/// `\uXXXX` (inside JSON output that is the same string, escaped). This shadows `Swift.print`
/// in this module, so no call can forget it.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(Escape.terminal(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}

/// On a terminal, a message first erases a progress line that may be drawn there.
private var lineStart: String { Terminal.liveLine ? "\r\u{1B}[K" : "" }

func printError(_ message: String) {
    FileHandle.standardError.write(Data((lineStart + "error: " + Escape.terminal(message) + "\n").utf8))
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data((lineStart + "warning: " + Escape.terminal(message) + "\n").utf8))
}

/// JSON as every command prints it: snake_case keys, sorted, ISO 8601 dates (the same encoder as the results).
func jsonString<T: Encodable>(_ value: T) throws -> String {
    try LineageJSON.string(value)
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
func writeAtomically(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url, options: .atomic)
}
