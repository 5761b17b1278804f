import ArgumentParser
import Foundation
import Lineage

struct LogsSimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a realistic simulated provider log with planted harvesting campaigns.",
        discussion: """
            Benign tenants with their own habits (casual users, a team behind one network, users of an \
            app that sends its own system prompt) and heavy legitimate users (a CI bot with three keys, \
            a nightly batch summariser, a weekly evaluation harness), plus three planted campaigns:
              low-and-slow          half the campaign accounts, the whole period, templated chain-of-thought prompts
              paraphrased-rotation  30%: coding prompts paraphrased per request, accounts used a few days each
              mixed-thinking        20%: reasoning elicitation with a third benign-looking traffic, working-day rhythm
            Requests come out in time order and stream to disk (memory grows with accounts, not requests). \
            The ground truth (one JSON line per account: label, campaign, tactic, role) goes to --labels. \
            The same --seed gives the same log byte for byte.

            Examples:
              lineage logs simulate --requests 200000 --campaign-accounts 2000 \\
                  --output logs.jsonl --labels labels.jsonl
              lineage logs simulate --requests 10000000 --campaign-accounts 25000 \\
                  --output big.jsonl --labels big-labels.jsonl
              lineage logs simulate --format csv --hash-prompts \\
                  --output hashed.csv --labels hashed-labels.jsonl
            """)

    @Option(help: "About this many requests in all.")
    var requests = 200_000

    @Option(help: "Days the log covers.")
    var days = 42

    @Option(help: "Accounts in the planted campaigns together (0: a log with no campaign).")
    var campaignAccounts = 2_000

    @Option(help: "The campaigns' share of all requests, between 0 and 0.9.")
    var campaignShare = 0.25

    @Option(help: "Ordinary benign accounts (default: one per 120 benign requests).")
    var benignAccounts: Int?

    @Flag(help: "Keep only a SHA-256 of each prompt (prompt_hash), as logs without prompt text do.")
    var hashPrompts = false

    @Flag(help: "Leave out network and payment fingerprints.")
    var withoutInfrastructure = false

    @Option(help: "Random seed; the same seed gives the same log.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Log format: jsonl or csv.", valueName: "format"))
    var format: LogWriter.Format = .jsonl

    @Option(name: [.short, .long], help: ArgumentHelp("The log file to write.", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("Where to write the ground truth, one JSON line per account.", valueName: "path"))
    var labels: String

    func validate() throws {
        if requests < 100 { throw ValidationError("--requests must be at least 100") }
        if days < 1 { throw ValidationError("--days must be at least 1") }
        if campaignAccounts < 0 { throw ValidationError("--campaign-accounts cannot be negative") }
        if !(0...0.9).contains(campaignShare) { throw ValidationError("--campaign-share must be between 0 and 0.9") }
        if output == labels { throw ValidationError("--output and --labels must be different files") }
    }

    func run() throws {
        var configuration = LogSimulator.Configuration()
        configuration.requests = requests
        configuration.days = days
        configuration.campaignAccounts = campaignAccounts
        configuration.campaignShare = campaignShare
        configuration.benignAccounts = benignAccounts
        configuration.hashPrompts = hashPrompts
        configuration.withoutInfrastructure = withoutInfrastructure
        configuration.seed = seed
        var simulator = LogSimulator(configuration)
        let writer = try LogWriter(path: output, format: format)
        while let record = simulator.next() { writer.write(record) }
        let labelWriter = try LogWriter(path: labels, format: .jsonl)
        for label in simulator.labels { labelWriter.write(line: try compactJSON(label)) }
        try writer.finish()
        try labelWriter.finish()
        let campaign = simulator.labels.filter { $0.label == "campaign" }.count
        print("wrote \(simulator.produced) requests from \(simulator.labels.count) accounts (\(campaign) in campaigns) to \(output)")
        print("ground truth: \(labels)")
    }
}

extension LogWriter.Format: ExpressibleByArgument {}

/// One value as compact JSON with sorted keys (a JSON Lines row).
func compactJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
