import ArgumentParser
import Foundation
import Lineage

struct CampaignsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaigns",
        abstract: "Find groups of accounts that act as one operator harvesting the model (distillation campaigns).",
        discussion: """
            Reads request logs (or per-account summaries from `lineage logs summarise` / `merge`), links \
            accounts whose prompts are alike (LSH over MinHash signatures, confirmed by prompt-sketch \
            cosine) or that share network or payment fingerprints, and behave alike; groups of at least \
            --min-accounts linked accounts are clusters, ranked by a score whose every point is explained \
            (accounts, prompt cohesion, reasoning and code elicitation, output per input token, max_tokens \
            use, small per-account volume, shared infrastructure). A single heavy account, however \
            repetitive (a CI bot, a batch job, an evaluation harness), is never a campaign: what marks a \
            harvesting operator is coordination across accounts.

            Output: a text summary; --json for the result (schema lineage.campaigns/v1, snake_case); \
            --report DIR for result.json and report.html (timeline, similarity structure, feature \
            distributions against benign tenants). With --labels (ground truth from `lineage logs \
            simulate`) it also prints precision and recall.

            Exit status: 0 when nothing is flagged, 10 when a campaign is flagged, 2 on bad input.

            Examples:
              lineage campaigns logs.jsonl --report campaigns-report
              lineage campaigns --summaries summary.jsonl --json > campaigns.json
              lineage campaigns --summaries summary.jsonl --labels labels.jsonl
            """)

    @Argument(help: ArgumentHelp("Log files (JSONL or CSV), read as one log.", valueName: "log"))
    var files: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Read these account summaries instead of logs (merged if several).", valueName: "summary"))
    var summaries: [String] = []

    @OptionGroup var readOptions: LogsReadOptions

    @Option(help: "Fewest accounts a campaign has (fewer is a tenant with several keys).")
    var minAccounts = 10

    @Option(help: "Prompt-sketch cosine that links two accounts (0 to 1).")
    var contentThreshold = 0.5

    @Option(help: "Score a cluster needs to be flagged.")
    var flagScore = 4.0

    @Option(help: "Random seed (background pairs, samples in the report).")
    var seed: UInt64 = 17

    @OptionGroup var output: SummaryOutputOptions
    var json: Bool { output.resolved == .json }

    @Option(help: ArgumentHelp("Write result.json and report.html into this folder.", valueName: "dir"))
    var report: String?

    @Option(help: ArgumentHelp("Ground truth (from `lineage logs simulate --labels`): print precision and recall.", valueName: "path"))
    var labels: String?

    func validate() throws {
        if files.isEmpty == summaries.isEmpty { throw ValidationError("pass log files or --summaries, one of the two") }
        if minAccounts < 2 { throw ValidationError("--min-accounts must be at least 2") }
        if !(0...1).contains(contentThreshold) { throw ValidationError("--content-threshold must be between 0 and 1") }
    }

    func run() throws {
        var summary = ShardSummary()
        if summaries.isEmpty {
            let (read, reports) = try readOptions.summarise(files)
            LogsReadOptions.printWarnings(reports)
            summary = read
        } else {
            do {
                for file in summaries { summary.merge(try ShardSummary.read(file)) }
            } catch let error as ImportError {
                printError("\(error)")
                throw ExitCode(ExitCodes.badInput)
            }
        }
        var truth: [LogSimulator.Label]?
        if let labels {
            do { truth = try CampaignEvaluation.readLabels(labels) } catch let error as ImportError {
                printError("\(error)")
                throw ExitCode(ExitCodes.badInput)
            }
        }
        var options = CampaignDetector.Options()
        options.minAccounts = minAccounts
        options.contentThreshold = contentThreshold
        options.flagScore = flagScore
        options.seed = seed
        let result = CampaignDetector(options: options).detect(summary, command: invocation)
        if let report {
            try writeAtomically(try jsonString(result) + "\n", to: report + "/result.json")
            try writeAtomically(CampaignHTMLReport.render(result), to: report + "/report.html")
        }
        if json {
            print(try jsonString(result))
        } else {
            print("\(result.requests) requests, \(result.accounts) accounts; \(result.campaigns.count) clusters, \(result.campaigns.filter(\.flagged).count) flagged (\(result.flaggedAccounts) accounts)")
            for c in result.campaigns.prefix(20) {
                let top = c.features.sorted { $0.contribution > $1.contribution }.prefix(3).map { "\($0.name) \(String(format: "%.2f", $0.contribution))" }
                print("  \(c.id)\(c.flagged ? " FLAGGED" : "        ") score \(String(format: "%.2f", c.score)): \(c.accountCount) accounts, \(c.requests) requests, \(c.first.prefix(10))..\(c.last.prefix(10)); \(top.joined(separator: ", "))")
            }
            if let report { print("report: \(report)/report.html") }
        }
        if let truth {
            let evaluation = LabelledEvaluation(labels: labels!, evaluation: CampaignEvaluation(result: result, labels: truth))
            let text = try jsonString(evaluation)
            if json { FileHandle.standardError.write(Data((text + "\n").utf8)) } else { print("against \(labels!):\n\(text)") }
        }
        if result.flaggedAccounts > 0 { throw ExitCode(10) }
    }
}

/// What `--labels` prints (on standard error with `--json`, so that standard output stays the
/// detection's JSON): precision and recall against the ground truth (schema lineage.campaign-evaluation/v1).
struct LabelledEvaluation: Encodable {
    let schema = "lineage.campaign-evaluation/v1"
    let labels: String
    let evaluation: CampaignEvaluation
}
