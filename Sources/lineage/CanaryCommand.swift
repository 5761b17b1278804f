import ArgumentParser
import Foundation
import Lineage

/// `lineage canary`: a keyed, meaning-preserving watermark for served answers, and its test.
struct CanaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary",
        abstract: "Watermark served answers with a secret key, and test a suspect for it.",
        discussion: """
            At each eligible spot of an answer (American/British spellings, a few free
            variants such as toward/towards, the serial comma, list markers, digit
            grouping) the form is chosen by HMAC-SHA256 of the key and the three words
            before it. Meaning is unchanged; code, URLs and identifiers are left alone.
            A model trained on canaried answers picks up the keyed preferences, which
            `lineage canary test` detects exactly, with the key.

            Example:
              lineage canary keygen --output canary.key
              serve ... | lineage canary apply --key-file canary.key > canaried.jsonl
              lineage run probes/core.yaml --model rival
              lineage canary test --key-file canary.key --suspect rival \\
                  --report reports/canary
            """,
        subcommands: [CanaryKeygenCommand.self, CanaryApplyCommand.self, CanaryTestCommand.self])
}

struct CanaryKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Write a new random canary key (64 hex digits) to a file readable by its owner only.",
        discussion: """
            Examples:
              lineage canary keygen --output ~/.config/lineage/canary.key
            """)

    @Option(help: ArgumentHelp("Where to write the key (an existing file is never overwritten).", valueName: "path"))
    var output: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: output) else {
            printError("\(output) exists\n  fix: pass another path; a key in use must never be replaced")
            throw ExitCode(ExitCodes.badInput)
        }
        let key = CanaryKey.generate()
        guard FileManager.default.createFile(atPath: output, contents: Data((key.hex + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            printError("cannot write \(output)\n  fix: check the folder exists and is writable")
            throw ExitCode(ExitCodes.failure)
        }
        print("key written to \(output) (fingerprint \(ContentHash.sha256(bytes: key.bytes).prefix(16)))")
    }
}

struct CanaryApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Canary a stream of answers: JSON Lines in, the same JSON Lines out with the answer field rewritten.",
        discussion: """
            Reads one JSON object per line (standard input, or --input), rewrites the
            string in --field (default "response"), and writes the object on standard
            output as soon as it is read, so it can sit in a serving path. Other
            fields pass through (key order may change). --stats prints spots, changes
            and words to standard error at the end.

            Example:
              echo '{"response": "The colour of the sky, the sea and the land."}' \\
                  | lineage canary apply --key-file canary.key
            """)

    @Option(help: ArgumentHelp("The key file (`lineage canary keygen`).", valueName: "path"))
    var keyFile: String

    @Option(help: ArgumentHelp("The field of each object holding the answer.", valueName: "name"))
    var field: String = "response"

    @Option(help: ArgumentHelp("Read this file instead of standard input.", valueName: "path"))
    var input: String?

    @Flag(help: "Print what the filter changed to standard error at the end.")
    var stats = false

    func run() throws {
        let key: CanaryKey
        do { key = try CanaryKey.load(file: keyFile) } catch let error as CanaryError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        let name = input ?? "standard input"
        // Standard input is read line by line as it arrives; a file is read whole.
        var nextLine: () -> String? = { readLine(strippingNewline: true) }
        if let input {
            guard let text = try? String(contentsOfFile: input, encoding: .utf8) else {
                printError("cannot read \(input)\n  fix: check the path (a UTF-8 JSON Lines file)")
                throw ExitCode(ExitCodes.badInput)
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
            nextLine = { lines.next().map(String.init) }
        }
        let output = FileHandle.standardOutput
        var number = 0, spots = 0, changed = 0, words = 0
        while let line = nextLine() {
            number += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                printError("\(name):\(number): not a JSON object\n  fix: each line must be one JSON object with a \"\(field)\" string")
                throw ExitCode(ExitCodes.badInput)
            }
            guard let text = object[field] as? String else {
                printError("\(name):\(number): no string field \"\(field)\"\n  fix: name the answer's field with --field (fields here: \(object.keys.sorted().joined(separator: ", ")))")
                throw ExitCode(ExitCodes.badInput)
            }
            let rewritten = Canary.apply(text, key: key)
            spots += rewritten.spots
            changed += rewritten.changed
            words += rewritten.words
            var updated = object
            updated[field] = rewritten.text
            var data = try JSONSerialization.data(withJSONObject: updated, options: [.sortedKeys, .withoutEscapingSlashes])
            data.append(UInt8(ascii: "\n"))
            output.write(data)
        }
        if stats {
            FileHandle.standardError.write(Data("canary: \(number) lines, \(spots) spots, \(changed) changed, \(words) words (\(String(format: "%.2f", 100 * Double(changed) / Double(max(1, words))))% of words changed)\n".utf8))
        }
    }
}

struct CanaryTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Test whether a suspect learnt from canaried answers (the radioactivity test).",
        discussion: """
            Reads every answer of the suspect in the store (to any prompts), finds its
            eligible spots and scores how often its form agrees with the keyed choice,
            each (context, choice set) unit once (Sander et al. 2024: repeated units
            would make a binomial reading invalid). The score is ranked among the
            scores of --replicates random keys: p = (1 + #random >= true) / (1 + B),
            exact under the null that the suspect's answers do not depend on the key.

            Verdicts and exit codes: 10 evidence (p <= --alpha); 0 no-evidence (at
            least 200 units and the agreement excess ruled out above
            --effect-that-matters); 11 inconclusive; 2 bad input.

            Example:
              lineage canary test --key-file canary.key --suspect rival --json
            """)

    @Option(help: ArgumentHelp("The key file (`lineage canary keygen`).", valueName: "path"))
    var keyFile: String

    @Option(help: ArgumentHelp("The model whose answers are tested.", valueName: "model"))
    var suspect: String

    @Option(help: "Significance level.")
    var alpha: Double = 0.05

    @Option(help: "Random keys the true key is ranked among.")
    var replicates: Int = 999

    @Option(help: "Seed of the random keys (recorded in the result).")
    var seed: UInt64 = 20_240_601

    @Option(help: "The agreement excess that matters (no-evidence needs its upper bound below this).")
    var effectThatMatters: Double = 0.05

    @OptionGroup var output: OutputOptions
    @OptionGroup var verdictOptions: VerdictOptions

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reportOptions: ReportOptions

    func run() throws {
        let store = try storeOptions.open()
        var options = RadioactivityOptions()
        options.alpha = alpha
        options.replicates = replicates
        options.seed = seed
        var result: RadioactivityResult
        let responses: [StoredResponse]
        do {
            let key = try CanaryKey.load(file: keyFile)
            let outcome = try RadioactivityStudy.run(suspect: suspect, key: key, store: store, options: options,
                                                     effectThatMatters: effectThatMatters, command: invocation)
            result = outcome.0
            responses = outcome.1
        } catch let error as CanaryError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        if reportOptions.directory != nil,
           case .radioactivity(let written) = try reportOptions.write(.radioactivity(result), responses: responses, store: store) {
            result = written
        }
        try verdictOptions.finish([.radioactivity(result)], format: output.resolved, suite: "lineage canary test", text: {
            var lines = ["canary radioactivity test of \(result.suspect) (key \(result.keyFingerprint))",
                         "verdict: \(result.verdict.rawValue) — \(result.verdictExplanation)",
                         "agreements \(result.agreements) of \(result.units) units (\(result.spots) spots); p = \(result.pValue) (random keys), binomial p = \(result.binomialPValue)"]
            lines += result.warnings.map { "warning: \($0)" }
            return lines.joined(separator: "\n")
        }, json: { try LineageJSON.string(result) })
    }
}
