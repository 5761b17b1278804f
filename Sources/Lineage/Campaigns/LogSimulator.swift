import Foundation

/// Simulated provider logs to test and benchmark campaign detection on: benign tenants with
/// diverse habits (including heavy legitimate users: a CI bot with three keys, a nightly batch
/// summariser, a weekly evaluation harness, a team behind one office network, users of a popular
/// app sharing its system prompt) and planted harvesting campaigns of several tactics.
///
/// Records come out in time order, one at a time (`next()`), from a heap of actors keyed by their
/// next request time: memory grows with the number of accounts, not of requests, so ten million
/// requests stream to disk. The same seed gives the same log, byte for byte.
public struct LogSimulator: Sendable {
    public struct Configuration: Codable, Sendable, Equatable {
        /// About this many requests in all (the count is random around it).
        public var requests: Int = 200_000
        public var days: Int = 42
        /// Accounts in all planted campaigns together.
        public var campaignAccounts: Int = 2_000
        /// The campaigns' share of all requests.
        public var campaignShare: Double = 0.25
        /// Ordinary benign accounts; by default one per 120 benign requests.
        public var benignAccounts: Int?
        /// Logs that keep only a hash of the prompt, not its text.
        public var hashPrompts: Bool = false
        /// Leave network and payment fingerprints out (logs without them).
        public var withoutInfrastructure: Bool = false
        public var seed: UInt64 = 1
        /// 2026-10-01T00:00:00Z.
        public var start: Double = 1_790_812_800

        public init() {}

        enum CodingKeys: String, CodingKey {
            case requests, days, seed, start
            case campaignAccounts = "campaign_accounts", campaignShare = "campaign_share", benignAccounts = "benign_accounts"
            case hashPrompts = "hash_prompts", withoutInfrastructure = "without_infrastructure"
        }
    }

    /// How planted campaigns behave.
    public enum Tactic: String, Codable, Sendable, CaseIterable {
        /// Thousands of accounts over the whole period, each far below rate limits; templated chain-of-thought prompts.
        case lowAndSlow = "low-and-slow"
        /// Coding prompts paraphrased per request from slot alternatives; accounts rotated every few days.
        case paraphrasedRotation = "paraphrased-rotation"
        /// Hidden-reasoning elicitation with a third of the traffic benign-looking, on a mimicked working-day rhythm.
        case mixedThinking = "mixed-thinking"
    }

    /// The ground truth for one account.
    public struct Label: Codable, Sendable, Equatable {
        public var account: String
        /// "campaign" or "benign".
        public var label: String
        public var campaign: String?
        public var tactic: Tactic?
        /// For benign accounts: casual, ci-bot, batch-summariser, eval-harness, team, app-user.
        public var role: String?
        public var plannedRequests: Int

        enum CodingKeys: String, CodingKey {
            case account, label, campaign, tactic, role
            case plannedRequests = "planned_requests"
        }
    }

    enum Kind: Sendable {
        case casual, ciBot, summariser, evalHarness, campaign(Tactic)
    }

    struct Actor: Sendable {
        var account: String
        var kind: Kind
        var start: Double
        var end: Double
        /// Mean requests per second while active.
        var rate: Double
        var diurnal: [Double]
        var network: String?
        var payment: String?
        var system: String?
        var habits: [Int]
        var topics: [String]
        var model: String
        var rng: SeededGenerator
        var burstLeft = 0
    }

    public let configuration: Configuration
    public private(set) var labels: [Label] = []
    private var actors: [Actor] = []
    private var heap: [(time: Double, actor: Int32)] = []
    public private(set) var produced = 0

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        build()
        for index in actors.indices {
            if let first = nextTime(after: actors[index].start, index) { push(first, index) }
        }
    }

    // MARK: Population

    private mutating func build() {
        let c = configuration
        var rng = SeededGenerator(seed: c.seed &* 0x9E37_79B9_7F4A_7C15 ^ 0x5151)
        let span = Double(c.days) * 86_400
        let total = Double(c.requests)
        let campaignRequests = c.campaignAccounts > 0 ? total * c.campaignShare : 0
        let heavyShares = (ci: 0.03, summariser: 0.04, eval: 0.02)
        let benignRequests = total - campaignRequests - total * (heavyShares.ci + heavyShares.summariser + heavyShares.eval)
        let working = (0..<24).map { h in h >= 8 && h <= 18 ? 1.0 : h >= 6 && h <= 22 ? 0.45 : 0.12 }
        let flat = [Double](repeating: 1, count: 24)
        func seedFor(_ i: Int) -> SeededGenerator { SeededGenerator(seed: c.seed ^ (UInt64(i) &* 0xD1B5_4A32_D192_ED03) &+ 7) }
        func add(_ account: String, _ kind: Kind, start: Double = 0, end: Double? = nil, requests: Double, diurnal: [Double],
                 network: String?, payment: String?, system: String? = nil, habits: [Int] = [], topics: [String] = [],
                 model: String, label: Label) {
            let s = c.start + start, e = c.start + (end ?? span)
            let infra = !c.withoutInfrastructure
            actors.append(Actor(account: account, kind: kind, start: s, end: e, rate: requests / max(1, e - s), diurnal: diurnal,
                                network: infra ? network : nil, payment: infra ? payment : nil, system: system,
                                habits: habits, topics: topics, model: model, rng: seedFor(actors.count)))
            labels.append(label)
        }
        func hex(_ rng: inout SeededGenerator, _ digits: Int = 8) -> String {
            String(String(rng.next(), radix: 16).suffix(digits))
        }
        let models = ["frontier-large", "frontier-large", "frontier-medium", "frontier-small"]

        // Heavy legitimate users: one tenant each.
        let ciNetwork = "asn-16509/" + hex(&rng, 6), ciPayment = "card-" + hex(&rng)
        for key in ["prod", "staging", "dev"] {
            let share = key == "prod" ? 0.6 : 0.2
            add("tenant-ci-\(key)", .ciBot, requests: total * heavyShares.ci * share, diurnal: working, network: ciNetwork,
                payment: ciPayment, system: SimulatedPrompts.ciSystem, model: "frontier-medium",
                label: Label(account: "tenant-ci-\(key)", label: "benign", role: "ci-bot", plannedRequests: Int(total * heavyShares.ci * share)))
        }
        add("tenant-batch-summariser", .summariser, requests: total * heavyShares.summariser, diurnal: flat,
            network: "asn-8075/" + hex(&rng, 6), payment: "card-" + hex(&rng), system: SimulatedPrompts.summariserSystem,
            model: "frontier-small", label: Label(account: "tenant-batch-summariser", label: "benign", role: "batch-summariser",
                                                  plannedRequests: Int(total * heavyShares.summariser)))
        add("tenant-eval-harness", .evalHarness, requests: total * heavyShares.eval, diurnal: flat,
            network: "asn-15169/" + hex(&rng, 6), payment: "invoice-" + hex(&rng), system: SimulatedPrompts.evalSystem,
            model: "frontier-large", label: Label(account: "tenant-eval-harness", label: "benign", role: "eval-harness",
                                                  plannedRequests: Int(total * heavyShares.eval)))

        // Ordinary users: heavy-tailed activity, their own habits and topics; some behind one team
        // network, some inside a popular app that sends its own system prompt.
        let benignCount = max(20, c.benignAccounts ?? Int(benignRequests / 120))
        var weights: [Double] = []
        for _ in 0..<benignCount {
            let u = max(1e-9, Double(rng.next() >> 11) * 0x1.0p-53)
            weights.append(min(60, pow(u, -0.6)))
        }
        let weightSum = weights.reduce(0, +)
        let teamNetwork = "asn-3320/" + hex(&rng, 6), teamPayment = "invoice-" + hex(&rng)
        let appSystem = "You are HelpfulPal, a friendly assistant inside the HelpfulPal app. Answer concisely and kindly."
        for index in 0..<benignCount {
            let account = "user-" + hex(&rng, 10)
            let team = index < 15
            let app = !team && index % 9 == 0
            var habits = Set<Int>()
            let habitCount = 2 + Int(rng.next() % 5)
            while habits.count < habitCount { habits.insert(Int(rng.next() % UInt64(SimulatedPrompts.benignIntents.count))) }
            var topics = Set<String>()
            let topicCount = 2 + Int(rng.next() % 6)
            while topics.count < topicCount { topics.insert(SimulatedPrompts.pick(SimulatedPrompts.topics, &rng)) }
            // Accounts join and leave over the period.
            let joins = rng.next() % 4 == 0 ? Double(rng.next() % UInt64(span * 0.6)) : 0
            let leaves = rng.next() % 5 == 0 ? joins + (span - joins) * (0.3 + 0.7 * Double(rng.next() % 1000) / 1000) : span
            let shift = Int(rng.next() % 24)
            let diurnal = (0..<24).map { working[($0 + shift) % 24] }
            let requests = benignRequests * weights[index] / weightSum
            let role = team ? "team" : app ? "app-user" : "casual"
            add(account, .casual, start: joins, end: leaves, requests: requests, diurnal: diurnal,
                network: team ? teamNetwork : "ip-" + hex(&rng, 6), payment: team ? teamPayment : "card-" + hex(&rng),
                system: app ? appSystem : (rng.next() % 4 == 0 ? "You are a helpful assistant." : nil),
                habits: Array(habits).sorted(), topics: Array(topics).sorted(), model: SimulatedPrompts.pick(models, &rng),
                label: Label(account: account, label: "benign", role: role, plannedRequests: Int(requests)))
        }

        // Planted campaigns: half the accounts low-and-slow, 30% paraphrased with rotation, 20% mixed.
        guard c.campaignAccounts > 0 else { return }
        let tactics: [(Tactic, Double)] = [(.lowAndSlow, 0.5), (.paraphrasedRotation, 0.3), (.mixedThinking, 0.2)]
        var assigned = 0
        for (number, (tactic, share)) in tactics.enumerated() {
            let count = number == tactics.count - 1 ? c.campaignAccounts - assigned : Int((Double(c.campaignAccounts) * share).rounded())
            assigned += count
            guard count > 0 else { continue }
            let name = "campaign-\(number + 1)"
            let perAccount = campaignRequests * share / Double(count)
            let proxies = (0..<max(3, count / 40)).map { _ in "proxy-" + hex(&rng, 6) }
            let cards = (0..<max(2, count / 60)).map { _ in "card-" + hex(&rng) }
            for index in 0..<count {
                let account = (tactic == .mixedThinking ? "user-" : "acct-") + hex(&rng, 10)
                var start = 0.0, end = span
                switch tactic {
                case .lowAndSlow: start = Double(rng.next() % UInt64(span * 0.1))
                case .paraphrasedRotation:
                    // Waves of accounts, each used for four to ten days, then dropped.
                    let length = (4 + Double(rng.next() % 7)) * 86_400
                    start = Double(index) / Double(count) * (span - length)
                    end = start + length
                case .mixedThinking: start = Double(rng.next() % UInt64(span * 0.3))
                }
                let shift = Int(rng.next() % 3)
                let diurnal = tactic == .mixedThinking ? (0..<24).map { working[($0 + shift) % 24] } : flat
                let network = tactic == .lowAndSlow ? "ip-" + hex(&rng, 6) : SimulatedPrompts.pick(proxies, &rng)
                let payment = tactic == .lowAndSlow && rng.next() % 2 == 0 ? "card-" + hex(&rng) : SimulatedPrompts.pick(cards, &rng)
                var topics = Set<String>()
                while topics.count < 3 { topics.insert(SimulatedPrompts.pick(SimulatedPrompts.topics, &rng)) }
                let requests = perAccount * (0.6 + 0.8 * Double(rng.next() % 1000) / 1000)
                add(account, .campaign(tactic), start: start, end: end, requests: requests, diurnal: diurnal,
                    network: network, payment: payment, system: tactic == .mixedThinking ? "You are a helpful assistant." : nil,
                    habits: [0, 3, 7, 11, 16], topics: Array(topics).sorted(), model: "frontier-large",
                    label: Label(account: account, label: "campaign", campaign: name, tactic: tactic, plannedRequests: Int(requests)))
            }
        }
    }

    // MARK: Streaming

    /// The next request in time order, or nil at the end of the period.
    public mutating func next() -> LogRecord? {
        guard let top = pop() else { return nil }
        let index = Int(top.actor)
        let record = request(index, at: top.time)
        if let following = nextTime(after: top.time, index) { push(following, index) }
        produced += 1
        return record
    }

    private mutating func nextTime(after time: Double, _ index: Int) -> Double? {
        var t = time
        let actor = actors[index]
        var rng = actor.rng
        defer { actors[index].rng = rng }
        func uniform() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
        func hour(_ t: Double) -> Int { Int((t / 3600).rounded(.down)) % 24 }
        switch actor.kind {
        case .ciBot:
            // Bursts of 20-80 requests a few seconds apart, bursts in working hours.
            if actors[index].burstLeft > 0 {
                actors[index].burstLeft -= 1
                t += 1 + 3 * uniform()
            } else {
                let burst = 20.0 + 60 * uniform()
                let meanWorking = actor.diurnal.reduce(0, +) / 24
                repeat { t += -log(max(1e-12, uniform())) * burst / (actor.rate / meanWorking) } while uniform() > actor.diurnal[hour(t)]
                actors[index].burstLeft = Int(burst)
            }
        case .summariser:
            // Nightly from 01:00 to 04:00 UTC, one request every second or so.
            let perNight = actor.rate * 86_400
            let gap = 3 * 3600 / max(1, perNight)
            t += gap * (0.8 + 0.4 * uniform())
            let h = hour(t)
            if h < 1 || h >= 4 { t = ((t / 86_400).rounded(.down) + (h >= 4 ? 1 : 0)) * 86_400 + 3600 + 60 * uniform() }
        case .evalHarness:
            // Every Monday from 10:00 UTC, about six hours of evenly spaced questions.
            let perWeek = actor.rate * 7 * 86_400
            let gap = 6 * 3600 / max(1, perWeek)
            t += gap * (0.9 + 0.2 * uniform())
            let dayOfWeek = (Int((t / 86_400).rounded(.down)) + 3) % 7 // 0 = Monday
            let h = hour(t)
            if dayOfWeek != 0 || h < 10 || h >= 16 {
                let dayStart = (t / 86_400).rounded(.down) * 86_400
                let daysAhead = dayOfWeek == 0 && h < 10 ? 0 : (7 - dayOfWeek) % 7 == 0 ? 7 : (7 - dayOfWeek) % 7
                t = dayStart + Double(daysAhead) * 86_400 + 10 * 3600 + 30 * uniform()
            }
        case .casual, .campaign:
            let mean = actor.diurnal.reduce(0, +) / 24
            let peak = actor.rate / mean
            repeat { t += -log(max(1e-12, uniform())) / peak } while uniform() > actor.diurnal[hour(t)]
        }
        return t < actor.end ? t : nil
    }

    private mutating func request(_ index: Int, at time: Double) -> LogRecord {
        var rng = actors[index].rng
        defer { actors[index].rng = rng }
        let actor = actors[index]
        func uniform() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
        func lognormal(_ median: Double, _ sigma: Double) -> Int {
            let u1 = max(1e-12, uniform()), u2 = uniform()
            return max(1, Int(median * exp(sigma * sqrt(-2 * log(u1)) * cos(2 * .pi * u2))))
        }
        var prompt: String
        var output: Int
        var maxTokens: Int? = nil
        var system = actor.system
        switch actor.kind {
        case .casual:
            prompt = SimulatedPrompts.benign(habits: actor.habits, topics: actor.topics, &rng)
            output = lognormal(220, 0.8)
            if uniform() < 0.3 { maxTokens = [512, 1024, 2048][Int(rng.next() % 3)] }
        case .ciBot:
            prompt = "Review this diff for bugs and style problems.\n\n" + SimulatedPrompts.code(&rng, lines: 4 + Int(rng.next() % 20))
            output = lognormal(180, 0.5)
            maxTokens = 1024
        case .summariser:
            prompt = "Summarize the following document in three bullet points.\n\n" + SimulatedPrompts.sentence(&rng, words: 80 + Int(rng.next() % 300))
            output = lognormal(120, 0.3)
            maxTokens = 300
        case .evalHarness:
            let q = SimulatedPrompts.problem(&rng)
            prompt = "Question: \(q)\nA) \(rng.next() % 90)\nB) \(rng.next() % 90)\nC) \(rng.next() % 90)\nD) \(rng.next() % 90)\nThink step by step, then answer with the letter only on the last line."
            output = lognormal(350, 0.4)
            maxTokens = 2048
        case .campaign(let tactic):
            switch tactic {
            case .lowAndSlow:
                prompt = SimulatedPrompts.fill(SimulatedPrompts.pick(SimulatedPrompts.cotTemplates, &rng), topics: actor.topics, &rng)
                output = lognormal(1400, 0.4)
                maxTokens = 4096
            case .paraphrasedRotation:
                prompt = SimulatedPrompts.paraphrased(&rng)
                output = lognormal(2200, 0.35)
                maxTokens = 8192
            case .mixedThinking:
                if uniform() < 0.33 {
                    prompt = SimulatedPrompts.benign(habits: actor.habits, topics: actor.topics, &rng)
                    output = lognormal(300, 0.6)
                    maxTokens = 4096
                    system = nil
                } else {
                    prompt = SimulatedPrompts.fill(SimulatedPrompts.pick(SimulatedPrompts.thinkingTemplates, &rng), topics: actor.topics, &rng)
                    output = lognormal(1800, 0.4)
                    maxTokens = 8192
                }
            }
            if let max = maxTokens { output = min(output, max) }
        }
        var words = 1
        for byte in prompt.utf8 where byte == 32 || byte == 10 { words += 1 }
        let input = Int(Double(words) * 1.33) + (system.map { $0.count / 4 } ?? 0) + 3
        let hashOnly = configuration.hashPrompts
        return LogRecord(account: actor.account, time: (time * 1000).rounded() / 1000,
                         prompt: hashOnly ? nil : prompt, promptHash: hashOnly ? ContentHash.sha256(prompt) : nil,
                         system: system, inputTokens: input, outputTokens: output, maxTokens: maxTokens, model: actor.model,
                         network: actor.network, payment: actor.payment)
    }

    // MARK: Heap

    private mutating func push(_ time: Double, _ actor: Int) {
        heap.append((time, Int32(actor)))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() -> (time: Double, actor: Int32)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return top }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, Self.less(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.less(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    private static func less(_ a: (time: Double, actor: Int32), _ b: (time: Double, actor: Int32)) -> Bool {
        a.time < b.time || (a.time == b.time && a.actor < b.actor)
    }
}
