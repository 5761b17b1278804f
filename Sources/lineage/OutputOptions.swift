import ArgumentParser
import Foundation
import Lineage

/// `--format text|json|csv|md` and its shorthand `--json`: one convention for every command that prints results.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, csv, md

        init?(argument: String) {
            // "table" was `lineage similarity`'s name for text.
            self.init(rawValue: argument == "table" ? "text" : argument)
        }
    }

    @Option(help: ArgumentHelp("Output format: text, json, csv or md.",
                               discussion: "JSON names its schema in its `schema` field (docs/schema/ in the source holds each).", valueName: "format"))
    var format: Format = .text

    @Flag(help: "Shorthand for --format json.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress on standard error (it is shown only on a terminal anyway).")
    var quiet = false

    /// Progress for this command's long steps: on a terminal's standard error only, never with --quiet.
    func progress() -> StageProgress { StageProgress(enabled: !quiet && Terminal.liveLine) }

    var resolved: Format { json ? .json : format }

    func validate() throws {
        if json && format != .text && format != .json { throw ValidationError("--json means --format json: give one of them") }
    }
}

/// What a command with a verdict adds for CI: `--exit-zero` and `--junit FILE`.
struct VerdictOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("Exit 0 whatever the verdict (bad input and failures still exit 2 and 1).",
                             discussion: "For pipelines under `set -o pipefail`, e.g. `lineage attribute ... --json | jq .verdict`."))
    var exitZero = false

    @Option(help: ArgumentHelp("Also write the verdict as JUnit XML here: evidence is a failure, inconclusive is skipped.", valueName: "file"))
    var junit: String?

    /// Prints `subjects` in `format` (`text` is the command's own), writes the JUnit file, and exits with the verdicts' code.
    func finish(_ subjects: [ReportSubject], format: OutputOptions.Format, suite: String, text: () throws -> String,
                json: () throws -> String) throws -> Never {
        switch format {
        case .text: print(try text())
        case .json: print(try json())
        case .csv: Swift.print(ResultFormats.csv(subjects), terminator: "")
        case .md: print(subjects.map { MarkdownReport.render($0, manifest: nil) }.joined(separator: "\n---\n\n"))
        }
        if let junit {
            do {
                try writeAtomically(ResultFormats.junit(subjects, suite: suite), to: junit)
            } catch {
                printError("cannot write the JUnit file \(junit): \(error.localizedDescription)\n  fix: pass a path in a folder you can write to")
                throw ExitCode(ExitCodes.failure)
            }
        }
        let verdicts = subjects.compactMap(\.verdict)
        throw ExitCode(exitZero ? ExitCodes.success : ExitCodes.code(forAll: verdicts))
    }
}

/// What standard error can show. Lineage prints no colour at all, so NO_COLOR (https://no-color.org)
/// holds whatever it is set to; a live line (carriage return, erase to the end of the line) needs a terminal
/// that is not TERM=dumb.
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
    static var liveLine: Bool { standardErrorIsTerminal && ProcessInfo.processInfo.environment["TERM"] != "dumb" }
}

/// One line on standard error naming the step under way, how far it has got ("study 3/75") and the
/// time so far, redrawn in place (at most ten times a second) and erased at the end, so that nothing
/// of it stays in the terminal or reaches a pipe. Disabled, it draws nothing and its `counter` is silent.
final class StageProgress: @unchecked Sendable {
    private let enabled: Bool
    private let started = Date()
    private let lock = NSLock()
    private var name = ""
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func stage(_ name: String) {
        guard enabled else { return }
        lock.withLock {
            self.name = name
            draw(name)
        }
    }

    /// What the library's long steps report through (`WorkProgress`): drawn as "stage: step done/total".
    var counter: WorkProgress {
        guard enabled else { return .silent }
        return WorkProgress { [self] step, done, total in count(step, done, of: total) }
    }

    func count(_ step: String, _ done: Int, of total: Int) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            guard done >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            draw((name.isEmpty ? "" : name + ": ") + "\(step) \(done)/\(total)")
        }
    }

    func done() {
        guard enabled else { return }
        lock.withLock { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func draw(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(format: "lineage: %@ (%.0f s)", Escape.terminal(text), Date().timeIntervalSince(started))).utf8))
    }
}

/// `--format text|json` and `--json` for commands that print one summary rather than a table
/// (imports, campaign detection): the same convention as every command, with csv and md refused.
struct SummaryOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Output format: text or json (this command prints one summary, not a table).",
                               discussion: "JSON names its schema in its `schema` field (docs/schema/ in the source holds each).", valueName: "format"))
    var format: OutputOptions.Format = .text

    @Flag(help: "Shorthand for --format json.")
    var json = false

    var resolved: OutputOptions.Format { json ? .json : format }

    func validate() throws {
        if json && format != .text && format != .json { throw ValidationError("--json means --format json: give one of them") }
        if format == .csv || format == .md {
            throw ValidationError("--format \(format.rawValue): this command prints one summary, not a table\n  fix: use --format text or --format json")
        }
    }
}
