import Foundation
import Testing
@testable import Lineage

@Suite struct CampaignLogSimulatorTests {
    @Test func sameSeedSameLogInTimeOrderWithGroundTruth() {
        let configuration = CampaignFixtures.configuration(requests: 20_000, campaignAccounts: 200, seed: 11)
        let (records, labels) = CampaignFixtures.simulate(configuration)
        let (again, _) = CampaignFixtures.simulate(configuration)
        #expect(records == again)
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(abs(Double(records.count) / 20_000 - 1) < 0.15)
        let accounts = Set(records.map(\.account))
        #expect(Set(labels.map(\.account)).isSuperset(of: accounts))
        #expect(labels.filter { $0.label == "campaign" }.count == 200)
        let roles = Set(labels.compactMap(\.role))
        #expect(roles.isSuperset(of: ["ci-bot", "batch-summariser", "eval-harness", "team", "app-user", "casual"]))
        #expect(Set(labels.compactMap(\.tactic)) == Set(LogSimulator.Tactic.allCases))
        // The campaign share is about what was asked, and no campaign key is heavy.
        let campaignAccounts = Set(labels.filter { $0.label == "campaign" }.map(\.account))
        let campaignRequests = records.filter { campaignAccounts.contains($0.account) }.count
        #expect(abs(Double(campaignRequests) / Double(records.count) - 0.25) < 0.05)
        var other = configuration
        other.seed = 12
        #expect(CampaignFixtures.simulate(other).0 != records)
    }
}
