import ArgumentParser
import Foundation
import Lineage

/// `lineage study STUDY.yaml`: collection, analysis and report from one reviewed file.
struct StudyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run a whole study from one reviewed file: models and roles, probe set, samples, collection, analysis, report.",
        discussion: """
            The file is what a legal team reviews and a CI job runs. Collection (`collect:`) is `lineage run` and asks only what the store does not hold yet; the analysis is `lineage attribute` or `lineage equality` with the roles the file names. The result records the file's SHA-256 (reproducibility.configuration."study file"), so the report's manifest covers it, and the equivalent attribute or equality command line, so `lineage verify --recompute` can run it again. Paths in the file are relative to its folder. Exit codes are the analysis's.

            A study file:
              name: release-check
              store: release.sqlite
              probes: ../probes/core.yaml
              collect:
                config: models.yaml
                models: [suspect, gpt-ref, ctrl-a, ctrl-b]
                samples: 2
              analysis:
                kind: attribution          # or equality (model_a, model_b)
                suspect: suspect
                references: [gpt-ref]
                controls: [ctrl-a, ctrl-b]
                alpha: 0.05
              report: release-report

            Examples:
              lineage study studies/release-check.yaml
              lineage study studies/release-check.yaml --no-collect --json --junit junit.xml
            """)

    @Argument(help: ArgumentHelp("The study file (YAML).", valueName: "study.yaml"))
    var file: String

    @Flag(help: "Skip the file's collection step and analyse what the store holds.")
    var noCollect = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var verdictOptions: VerdictOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let study: StudyFile
        do {
            study = try StudyFile.load(path: file)
        } catch let error as ProbeSetError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        let storePath = study.store ?? storeOptions.store
        if let collection = study.collection, !noCollect, let probes = study.probes {
            var arguments = [probes, "--store", storePath, "--samples", String(collection.samples)]
            if let config = collection.config { arguments += ["--config", config] }
            for model in collection.models { arguments += ["--model", model] }
            if let temperature = collection.temperature { arguments += ["--temperature", String(temperature)] }
            if let maxTokens = collection.maxTokens { arguments += ["--max-tokens", String(maxTokens)] }
            if output.quiet { arguments.append("--quiet") }
            try await Self.collect(arguments)
        }
        var options = storeOptions
        options.store = storePath
        let store = try options.openExisting()
        let studyNote = "\(study.name): \(study.path), sha256 \(study.sha256)"
        switch study.kind {
        case .attribution:
            var arguments = ["--suspect", study.suspect!] + study.references.flatMap { ["--reference", $0] }
                + study.alternativeReferences.flatMap { ["--alternative-reference", $0] } + study.controls.flatMap { ["--control", $0] }
            if let alpha = study.alpha { arguments += ["--alpha", String(alpha)] }
            if let seed = study.seed { arguments += ["--seed", String(seed)] }
            arguments += ["--store", storePath]
            let attribute = try AttributeCommand.parse(arguments)
            var (result, responses) = try attribute.analyse(store: store)
            result.reproducibility.command = Self.commandLine(["lineage", "attribute"] + arguments)
            result.reproducibility.configuration[Self.studyKey] = studyNote
            if let report = study.report, case .attribution(let written) = try ReportOptions.parse(["--report", report]).write(
                .attribution(result), responses: responses.answeringEveryModel(ReportSubject.attribution(result).models), store: store) {
                result = written
            }
            try verdictOptions.finish([.attribution(result)], format: output.resolved, suite: "lineage study \(study.name)",
                                      text: { AttributionSummary.text(result) }, json: { try LineageJSON.string(result) })
        case .equality:
            var arguments = [study.modelA!, study.modelB!]
            if let alpha = study.alpha { arguments += ["--alpha", String(alpha)] }
            if let seed = study.seed { arguments += ["--seed", String(seed)] }
            if let permutations = study.permutations { arguments += ["--permutations", String(permutations)] }
            arguments += ["--store", storePath]
            let equality = try EqualityCommand.parse(arguments)
            var (result, responses) = try equality.analyse(store: store)
            result.reproducibility.command = Self.commandLine(["lineage", "equality"] + arguments)
            result.reproducibility.configuration[Self.studyKey] = studyNote
            if let report = study.report, case .equality(let written) = try ReportOptions.parse(["--report", report]).write(
                .equality(result), responses: responses.answeringEveryModel(Array(Set([study.modelA!, study.modelB!]))), store: store) {
                result = written
            }
            try verdictOptions.finish([.equality(result)], format: output.resolved, suite: "lineage study \(study.name)",
                                      text: { "\(result.question)\nverdict: \(result.verdict.rawValue.uppercased())  (p = \(AttributionSummary.number(result.pValue)))\n  \(result.verdictExplanation)" },
                                      json: { try LineageJSON.string(result) })
        }
    }

    /// Where a result names the study file it came from (left out when `verify --recompute` compares).
    static let studyKey = "study file"

    /// Runs `lineage run` with its summary on standard error, so that standard output holds the result only.
    static func collect(_ arguments: [String]) async throws {
        let run = try RunCommand.parse(arguments)
        fflush(nil)
        let saved = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        defer {
            fflush(nil)
            dup2(saved, STDOUT_FILENO)
            close(saved)
        }
        do {
            try await run.run()
        } catch let exit as ExitCode where exit.rawValue == ExitCodes.someRequestsFailed {
            warn("some requests failed (stored as failures, listed in the report's data quality); the analysis uses the answers stored")
        }
    }

    /// A command line as `invocation` writes it (arguments with spaces quoted).
    static func commandLine(_ arguments: [String]) -> String {
        arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}
