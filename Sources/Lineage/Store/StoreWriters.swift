import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which processes write to a store, so that a writer kept waiting can say who holds it.
///
/// SQLite does not tell: each `ResponseStore` that writes leaves a file `<pid>-<id>` holding its
/// command line in a folder of the temporary directory named by the SHA-256 of the store's
/// absolute path (`$TMPDIR/lineage-store-writers/<hash>/`), and removes it when it closes. A file
/// whose process is gone (killed) is ignored and cleared by the next look.
struct StoreWriters: Sendable {
    let folder: String
    let instance = UUID().uuidString.prefix(8)

    init(storePath: String) {
        let absolute = URL(fileURLWithPath: storePath).standardizedFileURL.resolvingSymlinksInPath().path
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lineage-store-writers")
            .appendingPathComponent(String(ContentHash.sha256(absolute).prefix(32))).path
    }

    var pid: Int32 { getpid() }
    private var ownFile: String { folder + "/\(pid)-\(instance)" }

    func register() {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let command = ProcessInfo.processInfo.arguments.joined(separator: " ")
        try? Data(command.utf8).write(to: URL(fileURLWithPath: ownFile), options: .atomic)
    }

    func unregister() {
        try? FileManager.default.removeItem(atPath: ownFile)
        // The folder goes when the last writer leaves.
        if (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// The other live writers: process id and command line.
    func others() -> [(pid: Int32, command: String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var result: [(pid: Int32, command: String)] = []
        for name in names.sorted() where folder + "/" + name != ownFile {
            guard let pid = name.split(separator: "-").first.flatMap({ Int32($0) }) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
                continue
            }
            let command = (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "?"
            result.append((pid, command))
        }
        return result
    }

    /// "pid 123 (lineage import a.jsonl)", or what is known when no Lineage process is registered.
    func describeHolders() -> String {
        let holders = others()
        if holders.isEmpty { return "another process (not a Lineage command, or one that did not say)" }
        return holders.map { "pid \($0.pid) (\(UnsafeCharacters.visible($0.command, keeping: [])))" }.joined(separator: ", ")
    }
}

/// A store another process kept locked for longer than this one would wait.
public struct StoreBusyError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let holders: String
    public let waited: TimeInterval

    public var description: String {
        "the store \(path) is busy: \(holders) has been writing to it for more than \(Int(waited)) s, and nothing was written\n"
            + "  fix: run the command again when that process has finished (or stop it); a store takes one writer at a time"
    }
}

/// The busy handler of every connection to a store: waits with growing sleeps (5 ms to 100 ms),
/// says once, after `noticeAfter` seconds, who holds the store, and gives up after `timeout`.
/// The time waited follows from the number of tries alone, so the handler keeps no state.
struct BusyWait: Sendable {
    let timeout: TimeInterval
    let noticeAfter: TimeInterval
    let writers: StoreWriters
    let path: String
    let notice: @Sendable (String) -> Void

    static func sleep(forTry tries: Int) -> TimeInterval { min(0.1, 0.005 * Double(tries + 1)) }

    static func waited(beforeTry tries: Int) -> TimeInterval {
        (0..<tries).reduce(0) { $0 + sleep(forTry: $1) }
    }

    func shouldRetry(_ tries: Int) -> Bool {
        let waited = Self.waited(beforeTry: tries)
        if waited >= timeout { return false }
        if waited >= noticeAfter && Self.waited(beforeTry: tries - 1) < noticeAfter || (tries == 0 && noticeAfter <= 0) {
            notice("the store \(path) is busy: \(writers.describeHolders()) is writing to it; waiting up to \(Int(timeout)) s for it to finish")
        }
        usleep(UInt32(Self.sleep(forTry: tries) * 1_000_000))
        return true
    }
}
