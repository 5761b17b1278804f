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

    @Option(name: .customLong("sign-key"), help: ArgumentHelp(
        "Sign the report's root hash with this Ed25519 key file (make one with `lineage keys create`).",
        discussion: "The manifest then names the public key and carries the signature; `lineage verify --signer KEY` checks it.",
        valueName: "path"))
    var signingKey: String?

    /// Writes the report when `--report` was given; returns the result as written (with its
    /// highlights and data quality filled in) and tells standard error where it went.
    func write(_ subject: ReportSubject, responses: [StoredResponse], store: ResponseStore) throws -> ReportSubject {
        guard let directory else { return subject }
        let written = try ReportWriter.write(subject, responses: responses, store: store, to: directory, signingKey: signingKey)
        FileHandle.standardError.write(Data((Escape.terminal("report: \(directory)/\(ReportWriter.htmlFile) (root hash \(written.manifest.rootHash))") + "\n").utf8))
        return written.subject
    }
}
