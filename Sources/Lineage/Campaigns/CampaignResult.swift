import Foundation

/// What `lineage campaigns` found, as written to JSON (snake_case, schema `lineage.campaigns/v1`).
public struct CampaignResult: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.campaigns/v1"

    /// One feature that weighed on a campaign's score, beside the benign tenants' value.
    public struct Feature: Codable, Sendable, Equatable {
        public var name: String
        public var value: Double
        /// The same feature over accounts in no cluster (the median account's value, or the pooled value).
        public var benign: Double
        /// Points this feature added to the score.
        public var contribution: Double
        public var why: String
    }

    public struct Campaign: Codable, Sendable, Equatable {
        public var id: String
        public var rank: Int
        public var score: Double
        /// Whether the score and the harvesting evidence pass the bar (an unflagged cluster is
        /// coordinated text without the signs of harvesting: shown, not accused).
        public var flagged: Bool
        public var accountCount: Int
        public var accounts: [String]
        public var requests: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var first: String
        public var last: String
        public var spanDays: Double
        public var cohesion: Double
        public var contentEdges: Int
        public var infrastructureEdges: Int
        /// Edges between accounts with the same harvesting behaviour and somewhat alike prompts.
        public var behaviourEdges: Int
        public var sharedNetworks: [String]
        public var sharedPayments: [String]
        public var examplePrompts: [String]
        public var features: [Feature]
        /// Requests per day, [day since the log's first day, requests].
        public var timeline: [[Int]]

        enum CodingKeys: String, CodingKey {
            case id, rank, score, flagged, accounts, requests, first, last, cohesion, features, timeline
            case accountCount = "account_count", inputTokens = "input_tokens", outputTokens = "output_tokens"
            case spanDays = "span_days", contentEdges = "content_edges", infrastructureEdges = "infrastructure_edges"
            case behaviourEdges = "behaviour_edges"
            case sharedNetworks = "shared_networks", sharedPayments = "shared_payments", examplePrompts = "example_prompts"
        }
    }

    public struct Parameters: Codable, Sendable, Equatable {
        public var minAccounts: Int
        public var minRequests: Int
        public var contentThreshold: Double
        public var infrastructureThreshold: Double
        public var bandRows: Int
        public var probes: Int
        public var flagScore: Double
        public var seed: UInt64

        enum CodingKeys: String, CodingKey {
            case probes, seed
            case minAccounts = "min_accounts", minRequests = "min_requests", contentThreshold = "content_threshold"
            case infrastructureThreshold = "infrastructure_threshold", bandRows = "band_rows", flagScore = "flag_score"
        }
    }

    /// Distributions over accounts for the report's charts (histogram counts over fixed bins).
    public struct Distribution: Codable, Sendable, Equatable {
        public var feature: String
        public var bins: [Double]
        public var campaign: [Int]
        public var benign: [Int]
    }

    public var schema = CampaignResult.schemaName
    public var version = LineageVersion.current
    public var command: String?
    public var parameters: Parameters
    public var requests: Int
    public var accounts: Int
    public var first: String?
    public var last: String?
    /// Median cosine of the prompt sketches of random account pairs: the benign background of "alike".
    public var backgroundSimilarity: Double
    public var effectiveContentThreshold: Double
    public var candidatePairs: Int
    public var campaigns: [Campaign]
    public var flaggedAccounts: Int
    /// Requests per day over the whole log, for the timeline.
    public var timeline: [[Int]]
    public var distributions: [Distribution]
    /// Accounts (campaign and benign samples) and their pairwise sketch cosines, for the similarity chart.
    public var similaritySample: SimilarityMatrix?

    enum CodingKeys: String, CodingKey {
        case schema, version, command, parameters, requests, accounts, first, last, campaigns, timeline, distributions
        case backgroundSimilarity = "background_similarity", effectiveContentThreshold = "effective_content_threshold"
        case candidatePairs = "candidate_pairs", flaggedAccounts = "flagged_accounts", similaritySample = "similarity_sample"
    }

    /// Every account in a flagged campaign.
    public var flaggedAccountSet: Set<String> { Set(campaigns.filter(\.flagged).flatMap(\.accounts)) }
}
