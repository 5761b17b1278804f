import Foundation
import ArgumentParser
import Lineage

/// The `--store` option every command that reads or writes responses shares.
struct StoreOptions: ParsableArguments {
    // Optional, so that the help states the default once (its own words), not twice.
    @Option(name: .customLong("store"), help: ArgumentHelp(
        "The SQLite response store (default: $LINEAGE_STORE, else \(ResponseStore.defaultPath) in the current folder).",
        discussion: "Only the commands that write (import, run, models annotate) create it.",
        valueName: "path"))
    var storeArgument: String?

    /// The store's path: --store, else $LINEAGE_STORE, else the default in the current folder.
    var store: String {
        get {
            storeArgument ?? ProcessInfo.processInfo.environment["LINEAGE_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? ResponseStore.defaultPath
        }
        set { storeArgument = newValue }
    }

    /// Opens a store that must exist already: a command that only reads must not create an empty store
    /// at a mistyped path.
    func openExisting() throws -> ResponseStore {
        guard FileManager.default.fileExists(atPath: store) else {
            printError("there is no store at \(store)\n  fix: check the path (--store or LINEAGE_STORE), or add responses first with "
                + "`lineage import FILE --store \(store)` or `lineage run`")
            throw ExitCode(ExitCodes.badInput)
        }
        return try open()
    }

    func open() throws -> ResponseStore {
        do {
            return try ResponseStore(path: store, busyNotice: { warn($0) })
        } catch {
            throw ValidationError("cannot open the store at \(store): \(error)\n  fix: check the path, or pass another with --store")
        }
    }
}

extension ResponseStore {
    /// Fails with a fix when any of `names` is not a model in this store.
    func requireModels(_ names: [String]) throws {
        let known = Set(try modelNames())
        if let missing = names.first(where: { !known.contains($0) }) {
            throw FingerprintError(description: "the store \(path) has no model '\(missing)'\n  fix: `lineage models --store \(path)` lists the models it holds")
        }
    }
}

/// The exact command line, recorded with every run and report.
var invocation: String {
    CommandLine.arguments.map { argument in
        argument.contains(" ") || argument.isEmpty ? "'\(argument)'" : argument
    }.joined(separator: " ")
}
