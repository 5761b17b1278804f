import Foundation

/// The features of one account, read off its `AccountSummary`: volume and timing, prompt
/// structure, token economics and infrastructure. Derived values (shares, ratios) are computed
/// here, after all merging, so the summaries themselves stay exact.
public struct AccountFingerprint: Codable, Sendable, Equatable {
    public var account: String
    public var requests: Int
    public var activeDays: Int
    public var activeHours: Int
    public var spanDays: Double
    public var requestsPerActiveDay: Double
    /// The busiest clock hour's requests.
    public var peakHourRequests: Int
    /// Coefficient of variation of the gaps between (sampled) consecutive requests: 0 is a metronome, 1 Poisson, above 1 bursty.
    public var interArrivalCV: Double
    /// Goh–Barabási burstiness (σ − μ) / (σ + μ) of those gaps: −1 regular, 0 Poisson, towards 1 bursty.
    public var burstiness: Double
    /// Entropy of the hour-of-day histogram over log 24: 1 is around the clock, low is a working day.
    public var diurnalSpread: Double
    public var reasoningShare: Double
    public var codeShare: Double
    public var systemShare: Double
    public var meanPromptWords: Double
    public var distinctPromptShare: Double
    /// Sum of squared shingle counts over their sum (from the CountSketch): 1 when no word
    /// sequence repeats, large when a template is used again and again.
    public var templateReuse: Double
    public var outputInputRatio: Double
    public var meanOutputTokens: Double
    public var maxTokensShare: Double
    public var meanMaxTokens: Double
    public var hitMaxTokensShare: Double
    public var networks: [String]
    public var payments: [String]

    enum CodingKeys: String, CodingKey {
        case account, requests, burstiness, networks, payments
        case activeDays = "active_days", activeHours = "active_hours", spanDays = "span_days"
        case requestsPerActiveDay = "requests_per_active_day", peakHourRequests = "peak_hour_requests"
        case interArrivalCV = "inter_arrival_cv", diurnalSpread = "diurnal_spread", reasoningShare = "reasoning_share"
        case codeShare = "code_share", systemShare = "system_share", meanPromptWords = "mean_prompt_words"
        case distinctPromptShare = "distinct_prompt_share", templateReuse = "template_reuse"
        case outputInputRatio = "output_input_ratio", meanOutputTokens = "mean_output_tokens"
        case maxTokensShare = "max_tokens_share", meanMaxTokens = "mean_max_tokens", hitMaxTokensShare = "hit_max_tokens_share"
    }

    public init(_ s: AccountSummary) {
        let n = Double(max(1, s.requests))
        account = s.account
        requests = s.requests
        activeHours = s.hourCounts.count
        activeDays = Set(s.hourCounts.keys.map { Int($0) >= 0 ? Int($0) / 24 : (Int($0) - 23) / 24 }).count
        spanDays = s.requests > 0 ? Double(s.lastMillis - s.firstMillis) / 86_400_000 : 0
        requestsPerActiveDay = Double(s.requests) / Double(max(1, activeDays))
        peakHourRequests = s.hourCounts.values.max() ?? 0
        let times = s.timeSample.values.compactMap { Int64($0) }.sorted()
        var gaps: [Double] = []
        for index in times.indices.dropFirst() { gaps.append(Double(times[index] - times[index - 1]) / 1000) }
        if gaps.count >= 2 {
            let mean = gaps.reduce(0, +) / Double(gaps.count)
            let sd = sqrt(gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count - 1))
            interArrivalCV = mean > 0 ? sd / mean : 0
            burstiness = sd + mean > 0 ? (sd - mean) / (sd + mean) : 0
        } else {
            interArrivalCV = 1
            burstiness = 0
        }
        var entropy = 0.0
        for count in s.hourOfDay where count > 0 {
            let p = Double(count) / n
            entropy -= p * log(p)
        }
        diurnalSpread = entropy / log(24)
        reasoningShare = Double(s.reasoning) / n
        codeShare = Double(s.code) / n
        systemShare = Double(s.withSystem) / n
        meanPromptWords = Double(s.promptWords) / n
        distinctPromptShare = min(1, s.prompts.distinctEstimate / n)
        templateReuse = s.shingles > 0 ? s.sketch.squaredNorm / Double(s.shingles) : 0
        outputInputRatio = Double(s.outputTokens) / Double(max(1, s.inputTokens))
        meanOutputTokens = Double(s.outputTokens) / n
        maxTokensShare = Double(s.withMaxTokens) / n
        meanMaxTokens = s.withMaxTokens > 0 ? Double(s.maxTokensSum) / Double(s.withMaxTokens) : 0
        hitMaxTokensShare = Double(s.hitMaxTokens) / n
        networks = s.networks.values
        payments = s.payments.values
    }

    /// The sketch as a unit vector (zero when the account has no shingles).
    public static func unitSketch(_ s: AccountSummary) -> [Float] {
        let norm = s.sketch.squaredNorm.squareRoot()
        guard norm > 0 else { return [Float](repeating: 0, count: CountSketch.dimensions) }
        return s.sketch.counts.map { Float(Double($0) / norm) }
    }

    /// A bucket of alike harvesting behaviour (elicitation, output per input, max_tokens use,
    /// prompt length, daily rhythm), for accounts that take long answers (600 tokens a request or
    /// more) to requests for reasoning or code, or to short prompts; nil for the others, which
    /// never meet in these buckets.
    public var behaviourKey: UInt64? {
        let elicitation = max(reasoningShare, codeShare)
        guard requests >= 3, meanOutputTokens >= 600, elicitation >= 0.5 || outputInputRatio >= 4 else { return nil }
        let parts: [Int] = [Int((elicitation * 3).rounded()), Int(log2(max(0.25, outputInputRatio)).rounded()),
                            maxTokensShare >= 0.5 ? 1 : 0, Int(log2(max(1, meanPromptWords)).rounded()),
                            Int((diurnalSpread * 3).rounded())]
        return parts.reduce(UInt64(0xB5AD_4ECE_DA1C_E2A9)) { StableHash.mix($0 ^ UInt64(bitPattern: Int64($1))) }
    }

    /// Whether two accounts behave alike apart from their text: what they ask for (reasoning,
    /// code) and what they take (output per input, output length). Used to confirm an edge.
    public func behavesLike(_ other: AccountFingerprint) -> Bool {
        abs(reasoningShare - other.reasoningShare) <= 0.4 && abs(codeShare - other.codeShare) <= 0.4
            && abs(log2(max(0.01, outputInputRatio) / max(0.01, other.outputInputRatio))) <= 2
            && abs(log2(max(1, meanOutputTokens) / max(1, other.meanOutputTokens))) <= 1.5
    }
}
