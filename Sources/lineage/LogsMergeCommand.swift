import ArgumentParser
import Foundation
import Lineage

struct LogsMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge per-shard account summaries into one, exactly.",
        discussion: """
            Adds counts and histograms, takes minima and maxima, merges MinHash minima, CountSketches \
            and bottom-k samples. The merge is associative and commutative: any grouping and order of \
            shards gives the same file, byte for byte, as summarising the whole log in one pass.

            Examples:
              lineage logs merge shard-*.summary --output summary.jsonl
              lineage logs merge day-1.summary day-2.summary --output week.summary
            """)

    @Argument(help: ArgumentHelp("Summary files from `lineage logs summarise` or `merge`.", valueName: "summary"))
    var files: [String]

    @Option(name: [.short, .long], help: ArgumentHelp("The merged summary file to write.", valueName: "path"))
    var output: String

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one summary file") }
    }

    func run() throws {
        var merged = ShardSummary()
        do {
            for file in files { merged.merge(try ShardSummary.read(file)) }
        } catch let error as ImportError {
            printError("\(error)\nnothing was written")
            throw ExitCode(ExitCodes.badInput)
        }
        try merged.write(to: output)
        printNote("merged \(files.count) summaries: \(merged.records) requests, \(merged.accounts.count) accounts into \(output)")
    }
}
