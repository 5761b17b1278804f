import Foundation
import Testing
@testable import Lineage

@Suite struct CampaignDetectorTests {
    /// The headline check: a 2,000-account campaign (three tactics) in 200,000 requests is found
    /// with account precision and recall of at least 0.95, and no heavy benign user is flagged.
    @Test func findsPlantedCampaignsWithHighPrecisionAndRecall() {
        let (summary, labels) = CampaignFixtures.summary(CampaignFixtures.configuration(requests: 200_000, campaignAccounts: 2_000, seed: 31))
        let result = CampaignDetector().detect(summary)
        let evaluation = CampaignEvaluation(result: result, labels: labels)
        #expect(evaluation.accountPrecision >= 0.95, "\(evaluation)")
        #expect(evaluation.accountRecall >= 0.95, "\(evaluation)")
        #expect(evaluation.campaignRecall == 1, "\(evaluation)")
        #expect(evaluation.campaignPrecision >= 0.95, "\(evaluation)")
        #expect(evaluation.flaggedBenignRoles.isEmpty, "\(evaluation.flaggedBenignRoles)")
        // Every flagged campaign explains itself and shows examples.
        for campaign in result.campaigns where campaign.flagged {
            #expect(!campaign.examplePrompts.isEmpty)
            #expect(campaign.features.reduce(0) { $0 + $1.contribution } >= result.parameters.flagScore - 1e-9)
        }
    }

    /// Without a planted campaign nothing is flagged, heavy users and the team included.
    @Test func flagsNothingInABenignLog() {
        let (summary, _) = CampaignFixtures.summary(CampaignFixtures.configuration(requests: 60_000, campaignAccounts: 0, seed: 32))
        let result = CampaignDetector().detect(summary)
        #expect(result.flaggedAccounts == 0, "\(result.campaigns.map { ($0.accountCount, $0.score, $0.accounts.prefix(3)) })")
    }

    /// Logs that keep only a prompt hash: with no text to compare, shared infrastructure and alike
    /// token economics still find the campaign that rotates accounts over shared proxies and cards;
    /// without infrastructure either, nothing is left to link accounts by, and nothing benign is flagged.
    @Test func hashedPromptsRelyOnInfrastructureAndFlagNoHeavyUser() {
        var configuration = CampaignFixtures.configuration(requests: 60_000, campaignAccounts: 600, seed: 33)
        configuration.hashPrompts = true
        let (summary, labels) = CampaignFixtures.summary(configuration)
        let evaluation = CampaignEvaluation(result: CampaignDetector().detect(summary), labels: labels)
        #expect(evaluation.flaggedBenignRoles.isEmpty, "\(evaluation)")
        #expect(evaluation.accountPrecision >= 0.95, "\(evaluation)")
        #expect((evaluation.recallByCampaign["campaign-2"] ?? 0) >= 0.9, "\(evaluation)")

        configuration.withoutInfrastructure = true
        let (bare, bareLabels) = CampaignFixtures.summary(configuration)
        let bareEvaluation = CampaignEvaluation(result: CampaignDetector().detect(bare), labels: bareLabels)
        #expect(bareEvaluation.falsePositives == 0, "\(bareEvaluation)")
    }

    /// One heavy account repeating one template is not a campaign; the same traffic spread over
    /// twenty-five coordinated keys is.
    @Test func coordinationAcrossAccountsNotVolumeMakesACampaign() {
        var rng = SeededGenerator(seed: 34)
        func records(accounts: [String], count: Int) -> [LogRecord] {
            (0..<count).map { index in
                let prompt = SimulatedPrompts.fill(SimulatedPrompts.cotTemplates[index % 3], topics: SimulatedPrompts.topics, &rng)
                return LogRecord(account: accounts[index % accounts.count], time: 1_790_812_800 + Double(index) * 37,
                                 prompt: prompt, inputTokens: 60, outputTokens: 1500, maxTokens: 4096, model: "m")
            }
        }
        var summary = ShardSummary()
        let benign = (0..<200).map { "user-\($0)" }
        for (index, account) in benign.enumerated() {
            for _ in 0..<10 {
                summary.add(LogRecord(account: account, time: 1_790_812_800 + Double(index * 1000), prompt: SimulatedPrompts.sentence(&rng, words: 20),
                                      inputTokens: 30, outputTokens: 200, model: "m"))
            }
        }
        var single = summary
        for record in records(accounts: ["heavy-bot"], count: 3000) { single.add(record) }
        #expect(CampaignDetector().detect(single).flaggedAccounts == 0)
        var spread = summary
        let keys = (0..<25).map { "key-\($0)" }
        for record in records(accounts: keys, count: 3000) { spread.add(record) }
        let result = CampaignDetector().detect(spread)
        #expect(result.flaggedAccountSet == Set(keys))
    }
}
