import ArgumentParser
import Foundation
import Lineage

/// `--report DIR`, shared by every analysis command that can end in a report folder
/// (`lineage tree` now; `lineage attribute` and `lineage equality` add `@OptionGroup var reportOptions: ReportOptions`).
struct ReportOptions: ParsableArguments {
    @Option(name: .customLong("report"), help: ArgumentHelp(
        "Also write a report folder here: report.html, report.md, result.json, manifest.json.",
        discussion: "Written whole or not at all (a previous report in the folder is replaced). `lineage verify DIR` checks it against the store later.",
        valueName: "dir"))
    var directory: String?

    /// Writes the report when `--report` was given; returns the result as written (with its
    /// highlights and data quality filled in) and tells standard error where it went.
    func write(_ subject: ReportSubject, responses: [StoredResponse], store: ResponseStore) throws -> ReportSubject {
        guard let directory else { return subject }
        let written = try ReportWriter.write(subject, responses: responses, store: store, to: directory)
        FileHandle.standardError.write(Data((Escape.terminal("report: \(directory)/\(ReportWriter.htmlFile) (root hash \(written.manifest.rootHash))") + "\n").utf8))
        return written.subject
    }
}
