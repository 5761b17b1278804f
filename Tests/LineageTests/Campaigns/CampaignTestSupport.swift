import Foundation
@testable import Lineage

/// Small simulated logs for the campaign tests, each with its seed recorded in the configuration.
enum CampaignFixtures {
    static func configuration(requests: Int, campaignAccounts: Int, seed: UInt64) -> LogSimulator.Configuration {
        var configuration = LogSimulator.Configuration()
        configuration.requests = requests
        configuration.campaignAccounts = campaignAccounts
        configuration.seed = seed
        return configuration
    }

    /// The records and labels of a simulated log, in memory.
    static func simulate(_ configuration: LogSimulator.Configuration) -> ([LogRecord], [LogSimulator.Label]) {
        var simulator = LogSimulator(configuration)
        var records: [LogRecord] = []
        while let record = simulator.next() { records.append(record) }
        return (records, simulator.labels)
    }

    /// Summarises a simulated log without writing it (the detector tests' fast path).
    static func summary(_ configuration: LogSimulator.Configuration) -> (ShardSummary, [LogSimulator.Label]) {
        var simulator = LogSimulator(configuration)
        var summary = ShardSummary()
        while let record = simulator.next() { summary.add(record) }
        return (summary, simulator.labels)
    }

    static func write(_ records: [LogRecord], to path: String, format: LogWriter.Format = .jsonl) throws {
        let writer = try LogWriter(path: path, format: format)
        for record in records { writer.write(record) }
        try writer.finish()
    }
}
