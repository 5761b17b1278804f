import Foundation

/// Finds groups of accounts that act as one operator harvesting a model's outputs.
///
/// A heavy account is not a campaign: a CI bot repeating its template is one tenant doing one
/// job. What marks a harvesting operator is coordination *across* accounts: many keys sending
/// the same templated or paraphrased text, asking for the same things (reasoning, code, long
/// outputs), often over shared infrastructure, each key small enough to stay under rate limits.
///
/// 1. Candidate pairs: LSH banding over the accounts' MinHash signatures (accounts sharing the
///    minima of a band of bins), plus accounts sharing a network or payment fingerprint.
/// 2. Each candidate is checked: the cosine of the accounts' prompt CountSketches (weighted by
///    how often text repeats) against a threshold, and alike behaviour (elicitation shares,
///    token economics). Within a bucket each account is checked against a few earlier members
///    not already in its component, so a bucket of thousands costs a few checks per account.
/// 3. Components of the confirmed-pair graph (union-find) with at least `minAccounts` accounts
///    are clusters; each is scored against the benign tenants, feature by feature, and flagged
///    when the score and the harvesting evidence pass the bar.
public struct CampaignDetector: Sendable {
    public struct Options: Codable, Sendable, Equatable {
        /// Fewer accounts than this is a tenant with several keys, not a campaign.
        public var minAccounts = 10
        /// Accounts with fewer requests are left out of the graph (too little to compare).
        public var minRequests = 2
        /// Sketch cosine for a content edge (raised when the background similarity is high).
        public var contentThreshold = 0.5
        /// Sketch cosine for an edge between accounts that share infrastructure.
        public var infrastructureThreshold = 0.25
        /// MinHash bins per LSH band.
        public var bandRows = 2
        /// Earlier bucket members each account is checked against.
        public var probes = 4
        /// The score a cluster needs to be flagged.
        public var flagScore = 4.0
        public var seed: UInt64 = 17

        public init() {}
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func detect(_ summary: ShardSummary, command: String? = nil) -> CampaignResult {
        let all = summary.accounts.keys.sorted().map { summary.accounts[$0]! }
        let fingerprints = all.map(AccountFingerprint.init)
        let eligible = all.indices.filter { all[$0].requests >= options.minRequests }
        let dimension = CountSketch.dimensions
        var unit = [Float](repeating: 0, count: all.count * dimension)
        for index in eligible {
            let vector = AccountFingerprint.unitSketch(all[index])
            for d in 0..<dimension { unit[index * dimension + d] = vector[d] }
        }
        func cosine(_ a: Int, _ b: Int) -> Double {
            unit.withUnsafeBufferPointer { u in
                var sum: Float = 0
                let pa = u.baseAddress! + a * dimension, pb = u.baseAddress! + b * dimension
                for d in 0..<dimension { sum += pa[d] * pb[d] }
                return Double(sum)
            }
        }

        // Background: how alike random pairs of accounts are.
        var rng = SeededGenerator(seed: options.seed)
        var background: [Double] = []
        if eligible.count >= 2 {
            for _ in 0..<min(4000, eligible.count * 4) {
                let a = eligible[Int(rng.next() % UInt64(eligible.count))], b = eligible[Int(rng.next() % UInt64(eligible.count))]
                if a != b { background.append(cosine(a, b)) }
            }
        }
        let backgroundMedian = Self.quantile(background, 0.5)
        let threshold = max(options.contentThreshold, backgroundMedian + 0.35)
        let infraThreshold = max(options.infrastructureThreshold, backgroundMedian + 0.15)

        // Candidate buckets: (key, account) pairs sorted by key; a run of equal keys is a bucket.
        // Three kinds: MinHash bands (alike text), shared network or payment fingerprints, and
        // alike harvesting behaviour (quantised features), the last two confirmed at the lower
        // cosine: paraphrased prompts share less text but the same topics and the same asks.
        var keyed: [(key: UInt64, account: Int32, kind: UInt8)] = []  // 0 text, 1 infrastructure, 2 behaviour
        for index in eligible {
            for key in all[index].minHash.bandKeys(rows: options.bandRows) { keyed.append((key, Int32(index), 0)) }
            for value in all[index].networks.values { keyed.append((StableHash.of(value, seed: 11), Int32(index), 1)) }
            for value in all[index].payments.values { keyed.append((StableHash.of(value, seed: 13), Int32(index), 1)) }
            if let key = fingerprints[index].behaviourKey { keyed.append((key, Int32(index), 2)) }
        }
        keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.account < $1.account }

        var components = UnionFind(count: all.count)
        var contentEdges = [Int](repeating: 0, count: all.count), infraEdges = [Int](repeating: 0, count: all.count)
        var behaviourEdges = [Int](repeating: 0, count: all.count)
        var checked = 0
        var start = 0
        while start < keyed.count {
            var end = start + 1
            while end < keyed.count, keyed[end].key == keyed[start].key { end += 1 }
            if end - start >= 2 {
                let kind = keyed[start].kind
                for i in (start + 1)..<end {
                    let a = Int(keyed[i].account)
                    var tries = 0
                    var j = i - 1
                    while j >= start, tries < options.probes {
                        let b = Int(keyed[j].account)
                        j -= 1
                        if components.find(a) == components.find(b) { continue }
                        tries += 1
                        checked += 1
                        let similarity = cosine(a, b)
                        // Logs with only prompt hashes have no text to compare: shared
                        // infrastructure and alike token economics must do.
                        let textless = fingerprints[a].meanPromptWords == 0 && fingerprints[b].meanPromptWords == 0
                        guard similarity >= (kind == 0 ? threshold : infraThreshold) || (kind == 1 && textless),
                              fingerprints[a].behavesLike(fingerprints[b]) else { continue }
                        components.union(a, b)
                        switch kind {
                        case 0: contentEdges[a] += 1; contentEdges[b] += 1
                        case 1: infraEdges[a] += 1; infraEdges[b] += 1
                        default: behaviourEdges[a] += 1; behaviourEdges[b] += 1
                        }
                        break
                    }
                }
            }
            start = end
        }

        let clusters = components.components(minimum: max(2, options.minAccounts))
        let inCluster = Set(clusters.flatMap { $0 })
        let benign = eligible.filter { !inCluster.contains($0) }
        let baseline = Baseline(benign.map { fingerprints[$0] })
        let firstMillis = all.map(\.firstMillis).min() ?? 0
        let firstDay = Int((Double(firstMillis) / 86_400_000).rounded(.down))

        var campaigns: [CampaignResult.Campaign] = clusters.map { members in
            campaign(members, all: all, fingerprints: fingerprints, baseline: baseline, cosine: cosine,
                     contentEdges: contentEdges, infraEdges: infraEdges, behaviourEdges: behaviourEdges, background: backgroundMedian, firstDay: firstDay, rng: &rng)
        }
        campaigns.sort { $0.score != $1.score ? $0.score > $1.score : $0.accounts[0] < $1.accounts[0] }
        for index in campaigns.indices {
            campaigns[index].rank = index + 1
            campaigns[index].id = "C\(index + 1)"
        }

        var total = AccountSummary(account: "")
        var totalTimeline: [Int: Int] = [:]
        for s in all {
            for (hour, count) in s.hourCounts { totalTimeline[Int(hour) / 24 - firstDay, default: 0] += count }
            total.requests += s.requests
        }
        let flagged = campaigns.filter(\.flagged)
        let flaggedSet = Set(flagged.flatMap(\.accounts))
        let campaignFingerprints = fingerprints.filter { flaggedSet.contains($0.account) }
        let benignFingerprints = benign.map { fingerprints[$0] }
        let parameters = CampaignResult.Parameters(
            minAccounts: options.minAccounts, minRequests: options.minRequests, contentThreshold: options.contentThreshold,
            infrastructureThreshold: options.infrastructureThreshold, bandRows: options.bandRows, probes: options.probes,
            flagScore: options.flagScore, seed: options.seed)
        return CampaignResult(
            command: command, parameters: parameters, requests: summary.records, accounts: all.count,
            first: all.isEmpty ? nil : LogTime.iso(Double(firstMillis) / 1000),
            last: all.isEmpty ? nil : LogTime.iso(Double(all.map(\.lastMillis).max()!) / 1000),
            backgroundSimilarity: backgroundMedian, effectiveContentThreshold: threshold, candidatePairs: checked,
            campaigns: campaigns, flaggedAccounts: flaggedSet.count,
            timeline: totalTimeline.sorted { $0.key < $1.key }.map { [$0.key, $0.value] },
            distributions: Self.distributions(campaign: campaignFingerprints, benign: benignFingerprints),
            similaritySample: similaritySample(flagged: flagged, benign: benign, all: all, cosine: cosine, rng: &rng))
    }

    // MARK: Scoring

    /// The benign tenants' typical values: medians over the accounts in no cluster, so that a
    /// heavy account (a bot with thousands of short requests) does not set the bar for everyone.
    struct Baseline {
        var elicitation: Double
        var outputInputRatio: Double
        var meanOutputTokens: Double
        var maxTokensShare: Double
        var requestsPerActiveDay: Double
        var requestsPerActiveDayP90: Double

        init(_ fingerprints: [AccountFingerprint]) {
            func median(_ value: (AccountFingerprint) -> Double) -> Double { CampaignDetector.quantile(fingerprints.map(value), 0.5) }
            elicitation = median { max($0.reasoningShare, $0.codeShare) }
            outputInputRatio = median(\.outputInputRatio)
            meanOutputTokens = median(\.meanOutputTokens)
            maxTokensShare = median(\.maxTokensShare)
            requestsPerActiveDay = median(\.requestsPerActiveDay)
            requestsPerActiveDayP90 = CampaignDetector.quantile(fingerprints.map(\.requestsPerActiveDay), 0.9)
        }
    }

    private func campaign(_ members: [Int], all: [AccountSummary], fingerprints: [AccountFingerprint], baseline: Baseline,
                          cosine: (Int, Int) -> Double, contentEdges: [Int], infraEdges: [Int], behaviourEdges: [Int], background: Double,
                          firstDay: Int, rng: inout SeededGenerator) -> CampaignResult.Campaign {
        var merged = AccountSummary(account: all[members[0]].account)
        var networkCounts: [String: Int] = [:], paymentCounts: [String: Int] = [:]
        var timeline: [Int: Int] = [:]
        for index in members {
            var s = all[index]
            s.account = merged.account
            merged.merge(s)
            for value in all[index].networks.values { networkCounts[value, default: 0] += 1 }
            for value in all[index].payments.values { paymentCounts[value, default: 0] += 1 }
            for (hour, count) in all[index].hourCounts { timeline[Int(hour) / 24 - firstDay, default: 0] += count }
        }
        let f = AccountFingerprint(merged)
        let n = Double(max(1, merged.requests))
        // Cohesion: mean sketch cosine over sampled member pairs.
        var cosines: [Double] = []
        for _ in 0..<min(300, members.count * (members.count - 1) / 2) {
            let a = members[Int(rng.next() % UInt64(members.count))], b = members[Int(rng.next() % UInt64(members.count))]
            if a != b { cosines.append(cosine(a, b)) }
        }
        let cohesion = cosines.isEmpty ? 0 : cosines.reduce(0, +) / Double(cosines.count)
        let elicitation = Double(max(merged.reasoning, merged.code)) / n
        let sharedNetworks = networkCounts.filter { $0.value >= 2 }
        let sharedPayments = paymentCounts.filter { $0.value >= 2 }
        let sharingAccounts = members.filter { index in
            all[index].networks.values.contains { (networkCounts[$0] ?? 0) >= 2 } || all[index].payments.values.contains { (paymentCounts[$0] ?? 0) >= 2 }
        }.count
        let perAccountDaily = CampaignDetector.quantile(members.map { fingerprints[$0].requestsPerActiveDay }, 0.5)

        var features: [CampaignResult.Feature] = []
        func add(_ name: String, _ value: Double, _ benign: Double, _ contribution: Double, _ why: String) {
            features.append(.init(name: name, value: value, benign: benign, contribution: max(0, contribution), why: why))
        }
        add("accounts", Double(members.count), 1, min(2, log10(Double(members.count) / Double(max(1, options.minAccounts))) + 0.5),
            "\(members.count) accounts joined by alike prompts or shared infrastructure; one tenant is one account")
        add("prompt_cohesion", cohesion, background, min(2, 3 * (cohesion - background)),
            "mean prompt-sketch cosine between member accounts, against random pairs of accounts")
        add("elicitation_share", elicitation, baseline.elicitation, min(2, 3 * (elicitation - baseline.elicitation)),
            "share of requests asking for reasoning or code (reasoning \(Int((f.reasoningShare * 100).rounded()))%, code \(Int((f.codeShare * 100).rounded()))%)")
        let ratio = f.outputInputRatio
        add("mean_output_tokens", f.meanOutputTokens, baseline.meanOutputTokens,
            min(1.5, 0.75 * log2(max(1, f.meanOutputTokens) / max(1, baseline.meanOutputTokens))),
            "output tokens per request: a harvester wants long answers")
        add("output_input_ratio", ratio, baseline.outputInputRatio,
            min(0.5, 0.25 * log2(max(1e-9, ratio) / max(1e-9, baseline.outputInputRatio))),
            "output tokens per input token (short questions alone also raise it, so it weighs little)")
        add("max_tokens_share", f.maxTokensShare, baseline.maxTokensShare, min(0.5, f.maxTokensShare - baseline.maxTokensShare),
            "share of requests setting max_tokens (mean \(Int(f.meanMaxTokens.rounded())))")
        add("requests_per_account_day", perAccountDaily, baseline.requestsPerActiveDayP90,
            perAccountDaily <= baseline.requestsPerActiveDayP90 && members.count >= 2 * options.minAccounts ? 0.5 : 0,
            "median requests per active day per account (benign 90th percentile shown): many small keys, each under the limits")
        add("shared_infrastructure", Double(sharingAccounts) / Double(members.count), 0,
            Double(sharingAccounts) / Double(members.count),
            "share of member accounts sharing a network or payment fingerprint with another member")
        let score = features.reduce(0) { $0 + $1.contribution }
        // Harvesting: asking for reasoning or code well above benign tenants, or taking long
        // answers (twice the benign output per request, and more output than input).
        let harvesting = elicitation >= max(0.4, baseline.elicitation + 0.2)
            || (f.meanOutputTokens >= 2 * baseline.meanOutputTokens && ratio >= 2)
        // Coordination: the members' prompts are alike as a whole (not only pairwise along a
        // chain), or most of them share infrastructure.
        let coordinated = cohesion >= background + 0.15 || Double(sharingAccounts) >= 0.5 * Double(members.count)
        let examples = merged.examples.values

        return CampaignResult.Campaign(
            id: "", rank: 0, score: (score * 1000).rounded() / 1000, flagged: score >= options.flagScore && harvesting && coordinated,
            accountCount: members.count, accounts: members.map { all[$0].account }, requests: merged.requests,
            inputTokens: merged.inputTokens, outputTokens: merged.outputTokens,
            first: LogTime.iso(Double(merged.firstMillis) / 1000), last: LogTime.iso(Double(merged.lastMillis) / 1000),
            spanDays: (f.spanDays * 100).rounded() / 100, cohesion: (cohesion * 1000).rounded() / 1000,
            contentEdges: members.reduce(0) { $0 + contentEdges[$1] } / 2, infrastructureEdges: members.reduce(0) { $0 + infraEdges[$1] } / 2,
            behaviourEdges: members.reduce(0) { $0 + behaviourEdges[$1] } / 2,
            sharedNetworks: Array(sharedNetworks.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map(\.key)),
            sharedPayments: Array(sharedPayments.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map(\.key)),
            examplePrompts: examples, features: features,
            timeline: timeline.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
    }

    // MARK: Charts' data

    static func distributions(campaign: [AccountFingerprint], benign: [AccountFingerprint]) -> [CampaignResult.Distribution] {
        func histogram(_ name: String, _ bins: [Double], _ value: (AccountFingerprint) -> Double) -> CampaignResult.Distribution {
            func counts(_ list: [AccountFingerprint]) -> [Int] {
                var counts = [Int](repeating: 0, count: bins.count - 1)
                for f in list {
                    let v = value(f)
                    var bin = bins.count - 2
                    for index in 0..<(bins.count - 1) where v < bins[index + 1] { bin = index; break }
                    counts[max(0, bin)] += 1
                }
                return counts
            }
            return .init(feature: name, bins: bins, campaign: counts(campaign), benign: counts(benign))
        }
        let shares = stride(from: 0.0, through: 1.0, by: 0.1).map { $0 }
        return [
            histogram("elicitation_share", shares) { max($0.reasoningShare, $0.codeShare) },
            histogram("log2_output_input_ratio", stride(from: -4.0, through: 8.0, by: 1).map { $0 }) { log2(max(1e-3, $0.outputInputRatio)) },
            histogram("log10_requests_per_active_day", stride(from: 0.0, through: 4.0, by: 0.25).map { $0 }) { log10(max(1, $0.requestsPerActiveDay)) },
            histogram("diurnal_spread", shares) { $0.diurnalSpread },
        ]
    }

    private func similaritySample(flagged: [CampaignResult.Campaign], benign: [Int], all: [AccountSummary],
                                  cosine: (Int, Int) -> Double, rng: inout SeededGenerator) -> SimilarityMatrix? {
        let index = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.account, $0) })
        var picked: [Int] = []
        for campaign in flagged.prefix(4) {
            picked += campaign.accounts.prefix(8).compactMap { index[$0] }
        }
        var benignPool = benign
        for _ in 0..<min(12, benignPool.count) {
            let at = Int(rng.next() % UInt64(benignPool.count))
            picked.append(benignPool.remove(at: at))
        }
        guard picked.count >= 2 else { return nil }
        let values = picked.map { a in picked.map { b in a == b ? 1 : (cosine(a, b) * 1000).rounded() / 1000 } }
        return SimilarityMatrix(models: picked.map { all[$0].account }, values: values)
    }

    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
    }
}
