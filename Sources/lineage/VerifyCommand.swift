import ArgumentParser
import Foundation
import Lineage

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a report still matches the store it was made from.",
        discussion: """
            Recomputes the report's root hash from scratch: the SHA-256 of every probe and response \
            (answer, finish reason, raw request and reply bodies) from the text now in the store \
            (never trusting the store's own hash columns), and of each report file (result.json, \
            report.md, report.html) from its bytes. It fails when the recomputed root differs from \
            the root the manifest, result.json and report.html state, when a file the folder holds is \
            not in the manifest, or when a file the manifest lists is missing, and says what was \
            changed, removed or added since the report was written. "Added" means successful \
            responses the store now holds for the report's models and probes that the report did \
            not use: rerunning it would see them.

            With --recompute it also runs the analysis again: the command line result.json \
            records (with its seeds and every option) on the store, and requires the same result, \
            number for number (what describes the run, such as its date and the store's path, \
            aside). It works for `lineage attribute` and `lineage equality` results; on another \
            machine a different BLAS can change the last bits of a similarity.

            A report written with --sign-key carries an Ed25519 signature of its root hash; verify \
            checks it whenever it is there, and --signer PUBLIC_KEY requires it to be that key's.

            Exit codes:
              0  everything matches
              3  something changed, went missing or was added, or a check (root, signature,
                 --recompute) failed; all is listed
              2  the report folder or the store cannot be read

            Examples:
              lineage verify results/report-vicuna
              lineage verify results/report-vicuna --store /data/lineage.sqlite --json
              lineage verify results/report-vicuna --recompute
            """)

    @Argument(help: ArgumentHelp("The report folder (holding manifest.json).", valueName: "report-dir"))
    var reportDirectory: String

    @OptionGroup var output: OutputOptions
    var json: Bool { output.resolved == .json }

    @Flag(help: "Also re-run the recorded analysis on the store and require the same result.")
    var recompute = false

    @Option(help: ArgumentHelp("Require the report to be signed by this Ed25519 public key (hex, as `lineage keys show` prints it).",
                               valueName: "public-key"))
    var signer: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: storeOptions.store) else {
            printError("no store at \(storeOptions.store)\n  fix: pass the store the report was made from with --store PATH")
            throw ExitCode(ExitCodes.badInput)
        }
        let store = try storeOptions.openExisting()
        var result: ReportVerification
        do {
            result = try ReportVerifier.verify(reportDirectory: reportDirectory, store: store, signer: signer)
            if recompute {
                let recorded = try ReportWriter.read(reportDirectory).subject
                let differing = try RecordedAnalysis.differences(from: recorded, storePath: storeOptions.store)
                result.problems += differing.map { "recomputed from the store, the result differs in \"\($0)\"" }
                if differing.isEmpty && !json { print("recomputed: the recorded analysis gives the same result again") }
            }
        } catch let error as ReportError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        } catch let error as ValidationError {
            printError(error.message)
            throw ExitCode(ExitCodes.badInput)
        }
        let mismatches = [("changed", result.changed), ("removed", result.removed), ("added", result.added),
                          ("report file changed", result.filesChanged), ("file not in the manifest", result.unlistedFiles),
                          ("problem", result.problems)].flatMap { label, items in items.map { [label, $0] } }
        switch output.resolved {
        case .json:
            print(try jsonString(result))
        case .csv:
            print("kind,item")
            for row in mismatches { print(row.map(Escape.csvField).joined(separator: ",")) }
        case .md:
            print((result.intact ? "**OK**: the store and the report files match the manifest" : "**MISMATCH**") + " (root hash `\(result.rootHash)`).\n")
            if !mismatches.isEmpty { print(MarkdownReport.table(["kind", "item"], mismatches)) }
        case .text:
            print("report:   \(result.report)\nstore:    \(result.store)")
            print("root hash in manifest:  \(result.rootHash)\nroot hash recomputed:   \(result.recomputedRootHash)")
            if let key = result.signedBy { print("signed by Ed25519 key \(key) (signature valid)") }
            for (label, items) in [("changed", result.changed), ("removed", result.removed), ("added", result.added),
                                   ("report file changed", result.filesChanged),
                                   ("file not in the manifest", result.unlistedFiles), ("problem", result.problems)] {
                for item in items.prefix(50) { print("\(label): \(item)") }
                if items.count > 50 { print("\(label): ... and \(items.count - 50) more") }
            }
            print(result.intact ? "OK: the store and the report files match the manifest."
                  : "MISMATCH: \(result.changed.count) changed, \(result.removed.count) removed, \(result.added.count) added, "
                    + "\(result.filesChanged.count) report files changed, \(result.unlistedFiles.count) files not in the manifest, "
                    + "\(result.problems.count) other problems"
                    + (result.rootHash == result.recomputedRootHash ? "." : "; the recomputed root hash differs."))
        }
        if !result.intact { throw ExitCode(ExitCodes.verificationFailed) }
    }
}

extension ExitCodes {
    /// `lineage verify`: the report no longer matches the store or its own files.
    static let verificationFailed: Int32 = 3
}
