import ArgumentParser
import Foundation
import Lineage

/// Options every command that reads request logs shares.
struct LogsReadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Skip and report up to this many bad lines per file instead of failing on the first.", valueName: "n"))
    var maxBadLines = 0

    @Option(help: ArgumentHelp("Read every file as jsonl or csv instead of detecting it.", valueName: "format"))
    var logFormat: LogReader.Format?

    var reader: LogReader { LogReader(maxBadLines: maxBadLines, format: logFormat) }

    /// Summarises `files`; on bad input prints what is wrong and exits 2, having written nothing.
    func summarise(_ files: [String]) throws -> (ShardSummary, [LogReader.Report]) {
        do {
            return try ShardSummary.summarise(files, reader: reader)
        } catch let error as LogReadError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        } catch let error as ImportError {
            printError("\(error)\nnothing was written")
            throw ExitCode(ExitCodes.badInput)
        }
    }

    static func printWarnings(_ reports: [LogReader.Report]) {
        for report in reports where report.badLines > 0 {
            printError("\(report.file): skipped \(report.badLines) bad line(s):\n" + report.problems.joined(separator: "\n"))
        }
    }
}

extension LogReader.Format: ExpressibleByArgument {}

/// A line of progress on standard error (standard output stays clean for data).
func printNote(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
