import ArgumentParser
import Foundation
import Lineage

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a saved result again, as HTML, Markdown or JSON.",
        discussion: """
            Reads a report folder (written by --report DIR of `lineage attribute`, `lineage equality` \
            or `lineage tree`) or a bare result JSON file (their --json output), recognises the result \
            by its "schema" field (lineage.attribution/v1, lineage.equality/v1, lineage.comparison/v1) \
            and renders it. From a folder, the manifest's root hash is printed too (when the folder's \
            result.json still matches its manifest).

            Formats:
              html   one self-contained page with SVG charts; opens offline, runs no scripts
              md     Markdown, for a ticket or a pull request
              json   the result itself, in its versioned schema (see docs/schema/)

            Examples:
              lineage report results/report-vicuna --format md
              lineage report result.json --format html --output report.html
            """)

    @Argument(help: ArgumentHelp("A report folder, or a result JSON file.", valueName: "result-json-or-dir"))
    var source: String

    @Option(help: ArgumentHelp("Output format: html, md or json.", valueName: "format"))
    var format: ReportWriter.Format = .html

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var output: String?

    func run() throws {
        let loaded: (subject: ReportSubject, manifest: ReportManifest?)
        do {
            loaded = try ReportWriter.read(source)
        } catch let error as ReportError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        let text = try ReportWriter.render(loaded.subject, manifest: loaded.manifest, as: format)
        if let output {
            try writeAtomically(text, to: output)
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}

extension ReportWriter.Format: ExpressibleByArgument {}
