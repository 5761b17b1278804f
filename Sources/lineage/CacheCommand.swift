import ArgumentParser
import Foundation
import Lineage

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Featurise the stored answers once, so that every later study skips that step.",
        discussion: """
            Before a study compares models it turns each answer into features: word and \
            character n-gram counts, opening words, format and style measures, stock phrases \
            and identity claims. The store keeps them, one row per answer, tagged with the \
            featuriser's version. `import` and `run` add the rows of what they store, and \
            studies read them instead of featurising again.

            This command fills the rows that a store made by an older Lineage lacks, replaces \
            rows of another featuriser version, and says what the cache holds.

            The rows change no result: a study gives the same numbers, bit for bit, with or \
            without them. They are not part of any report's root hash, and `lineage verify \
            --recompute` ignores them and featurises the raw answers again.

            Examples:
              lineage cache --store results/lineage.sqlite
              lineage cache --status --json
              lineage cache --drop
            """)

    @Flag(help: "Only say what the cache holds; change nothing.")
    var status = false

    @Flag(help: "Remove every cached row (the answers stay; studies featurise them as they go).")
    var drop = false

    @OptionGroup var output: SummaryOutputOptions

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if status && drop { throw ValidationError("choose one of --status and --drop") }
    }

    /// What the command did and what the cache holds afterwards (`--json`).
    struct Summary: Encodable {
        var schema = "lineage.cache/v1"
        var store: String
        var version: String
        var featurised: Int
        var dropped: Int
        var seconds: Double
        var cache: ResponseStore.FeatureCacheSummary
    }

    func run() throws {
        let store = try storeOptions.openExisting()
        let started = Date()
        var featurised = 0, dropped = 0
        do {
            if drop {
                dropped = try store.dropFeatureCache()
            } else if !status {
                let progress = StageProgress(enabled: Terminal.liveLine)
                progress.stage("caching features")
                featurised = try store.fillFeatureCache(progress: progress.counter)
                progress.done()
            }
        } catch let error as StoreBusyError {
            printError(error.description)
            throw ExitCode(ExitCodes.failure)
        }
        let summary = Summary(store: store.path, version: FeatureCache.version, featurised: featurised, dropped: dropped,
                              seconds: Date().timeIntervalSince(started), cache: try store.featureCacheSummary())
        if output.resolved == .json {
            print(try jsonString(summary))
            return
        }
        if drop { print("dropped \(dropped) cached rows") }
        if !drop && !status { print("featurised \(featurised) answers in \(String(format: "%.1f", summary.seconds)) s") }
        let cache = summary.cache
        let ratio = cache.textBytes > 0 ? String(format: " (%.2f× the %@ of their answer text)", Double(cache.bytes) / Double(cache.textBytes),
                                                 ByteCountFormatter.string(fromByteCount: Int64(cache.textBytes), countStyle: .file)) : ""
        print("cache: \(cache.cached) of \(cache.responses) answers featurised, "
              + "\(ByteCountFormatter.string(fromByteCount: Int64(cache.bytes), countStyle: .file))\(ratio); featuriser \(summary.version)")
        if cache.stale > 0 { print("\(cache.stale) rows of another featuriser version are ignored; `lineage cache` replaces them") }
        print("store: \(store.path)")
    }
}

extension ResponseStore {
    /// After `import` or `run`: featurises what was just stored into the cache. The answers are
    /// committed already, so a failure here is a warning with the fix, never an error.
    func cacheNewAnswers(progress: StageProgress) {
        progress.stage("caching features")
        do {
            try fillFeatureCache(progress: progress.counter)
        } catch {
            warn("the answers are stored, but their features were not cached (\(error)); studies featurise them as they go\n"
                 + "  fix: `lineage cache --store \(path)` fills the cache later")
        }
        progress.done()
    }
}
