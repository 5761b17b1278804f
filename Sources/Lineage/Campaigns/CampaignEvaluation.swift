import Foundation

/// How a detection compares with planted ground truth: precision and recall of flagged
/// accounts, of campaigns, and which benign heavy users (if any) were flagged.
public struct CampaignEvaluation: Codable, Sendable, Equatable {
    public var accountPrecision: Double
    public var accountRecall: Double
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int
    /// Flagged campaigns whose accounts are mostly (> 50%) from one planted campaign, over all flagged.
    public var campaignPrecision: Double
    /// Planted campaigns of which flagged campaigns cover at least half the accounts, over all planted.
    public var campaignRecall: Double
    /// Per planted campaign: the share of its accounts flagged.
    public var recallByCampaign: [String: Double]
    /// Heavy benign users (any role other than casual) that were flagged.
    public var flaggedBenignRoles: [String]

    enum CodingKeys: String, CodingKey {
        case accountPrecision = "account_precision", accountRecall = "account_recall", truePositives = "true_positives"
        case falsePositives = "false_positives", falseNegatives = "false_negatives", campaignPrecision = "campaign_precision"
        case campaignRecall = "campaign_recall", recallByCampaign = "recall_by_campaign", flaggedBenignRoles = "flagged_benign_roles"
    }

    public init(result: CampaignResult, labels: [LogSimulator.Label]) {
        let truth = Dictionary(labels.map { ($0.account, $0) }, uniquingKeysWith: { a, _ in a })
        let flagged = result.flaggedAccountSet
        let planted = Set(labels.filter { $0.label == "campaign" }.map(\.account))
        truePositives = flagged.intersection(planted).count
        falsePositives = flagged.count - truePositives
        falseNegatives = planted.count - truePositives
        accountPrecision = flagged.isEmpty ? (planted.isEmpty ? 1 : 0) : Double(truePositives) / Double(flagged.count)
        accountRecall = planted.isEmpty ? 1 : Double(truePositives) / Double(planted.count)
        let flaggedCampaigns = result.campaigns.filter(\.flagged)
        var pure = 0
        for campaign in flaggedCampaigns {
            var counts: [String: Int] = [:]
            for account in campaign.accounts { counts[truth[account]?.campaign ?? "benign", default: 0] += 1 }
            if let best = counts.filter({ $0.key != "benign" }).values.max(), best * 2 > campaign.accounts.count { pure += 1 }
        }
        campaignPrecision = flaggedCampaigns.isEmpty ? (planted.isEmpty ? 1 : 0) : Double(pure) / Double(flaggedCampaigns.count)
        var byCampaign: [String: Double] = [:]
        let plantedByCampaign = Dictionary(grouping: labels.filter { $0.label == "campaign" }, by: { $0.campaign ?? "" })
        for (name, members) in plantedByCampaign {
            byCampaign[name] = Double(members.filter { flagged.contains($0.account) }.count) / Double(members.count)
        }
        recallByCampaign = byCampaign
        campaignRecall = byCampaign.isEmpty ? 1 : Double(byCampaign.values.filter { $0 >= 0.5 }.count) / Double(byCampaign.count)
        flaggedBenignRoles = labels.filter { $0.label == "benign" && $0.role != "casual" && flagged.contains($0.account) }
            .map { "\($0.role ?? "?"): \($0.account)" }.sorted()
    }

    /// Reads a ground-truth file written by `lineage logs simulate --labels`.
    public static func readLabels(_ path: String) throws -> [LogSimulator.Label] {
        var lines = try LineStream(path: path)
        defer { lines.close() }
        let decoder = JSONDecoder()
        var labels: [LogSimulator.Label] = []
        while let line = lines.next() {
            if line.isEmpty { continue }
            do {
                labels.append(try decoder.decode(LogSimulator.Label.self, from: Data(line)))
            } catch {
                throw ImportError(file: path, line: lines.lineNumber, "is not a ground-truth label",
                                  fix: "pass the --labels file of `lineage logs simulate`: {\"account\", \"label\", \"campaign\", ...} per line")
            }
        }
        return labels
    }
}
