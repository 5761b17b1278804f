import Foundation

/// Everything the campaign detector needs to know about one account, as a mergeable summary:
/// integer counts, sums and histograms, minima and maxima, MinHash minima, a CountSketch and
/// bottom-k samples. Two summaries of disjoint parts of a log merge into exactly the summary of
/// the whole (the merge is associative and commutative, and uses no floating point), so the
/// shard step can run anywhere and `lineage logs merge` gives the single-process answer.
public struct AccountSummary: Codable, Sendable, Equatable {
    public var account: String
    public var requests = 0
    public var firstMillis = Int64.max
    public var lastMillis = Int64.min
    /// Requests per UTC hour of the day.
    public var hourOfDay = [Int](repeating: 0, count: 24)
    /// Requests per clock hour (hours since the epoch), sparse: burstiness and active days.
    public var hourCounts: [Int32: Int] = [:]
    /// A coordinated sample of request times, for inter-arrival regularity (exact up to its size).
    public var timeSample = BottomK(k: 64)
    public var inputTokens = 0
    public var outputTokens = 0
    public var withMaxTokens = 0
    public var maxTokensSum = 0
    /// Requests whose output reached 95% of their max_tokens (cut off, or asked for everything).
    public var hitMaxTokens = 0
    /// log2 buckets of output tokens.
    public var outputHistogram = [Int](repeating: 0, count: 16)
    /// Buckets of log2(output / input), from −8 to +8.
    public var ratioHistogram = [Int](repeating: 0, count: 17)
    /// log2 buckets of prompt words.
    public var promptWordsHistogram = [Int](repeating: 0, count: 16)
    public var promptWords = 0
    public var shingles = 0
    public var reasoning = 0
    public var code = 0
    public var withSystem = 0
    public var systemPrompts = BottomK(k: 4)
    /// Distinct prompts, estimated from their hashes.
    public var prompts = BottomK(k: 64)
    public var minHash = MinHash()
    public var sketch = CountSketch()
    public var networks = BottomK(k: 8)
    public var payments = BottomK(k: 8)
    public var models = BottomK(k: 4)
    /// A few prompts as examples (the same few however the log is split).
    public var examples = BottomK(k: 3)

    public init(account: String) { self.account = account }

    static func bucket(_ value: Int, count: Int) -> Int {
        guard value > 0 else { return 0 }
        return min(count - 1, Int.bitWidth - value.leadingZeroBitCount)
    }

    /// Adds one request.
    public mutating func add(_ record: LogRecord) {
        requests += 1
        let millis = record.milliseconds
        firstMillis = min(firstMillis, millis)
        lastMillis = max(lastMillis, millis)
        let hours = Int64((Double(millis) / 3_600_000).rounded(.down))
        hourOfDay[Int(((hours % 24) + 24) % 24)] += 1
        hourCounts[Int32(truncatingIfNeeded: hours), default: 0] += 1
        inputTokens += record.inputTokens
        outputTokens += record.outputTokens
        if let max = record.maxTokens, max > 0 {
            withMaxTokens += 1
            maxTokensSum += max
            if record.outputTokens * 100 >= max * 95 { hitMaxTokens += 1 }
        }
        outputHistogram[Self.bucket(record.outputTokens, count: 16)] += 1
        let ratio = log2(Double(max(1, record.outputTokens)) / Double(max(1, record.inputTokens)))
        ratioHistogram[min(16, max(0, Int(ratio.rounded()) + 8))] += 1

        var words = 0
        var elicitation = Elicitation()
        // Values for the bottom-k samples are built only when their hash gets in.
        let promptHash: UInt64
        if let prompt = record.prompt {
            Shingles.forEach(prompt, word: { hash in
                words += 1
                elicitation.word(hash)
            }) { hash in
                shingles += 1
                minHash.insert(hash)
                sketch.insert(hash)
            }
            promptHash = StableHash.of(prompt)
            let exampleHash = StableHash.mix(promptHash ^ 0xE8A4_F1C3)
            if exampleHash <= examples.threshold { examples.insert(hash: exampleHash, value: String(prompt.prefix(400))) }
            // The hash identifies the prompt; no text is kept (it would cost kilobytes an account).
            if promptHash <= prompts.threshold { prompts.insert(hash: promptHash, value: "") }
        } else {
            // Only a hash: the exact prompt is the one shingle.
            let key = record.promptHash ?? ""
            promptHash = StableHash.of(key)
            shingles += 1
            minHash.insert(promptHash)
            sketch.insert(promptHash)
            let exampleHash = StableHash.mix(promptHash ^ 0xE8A4_F1C3)
            if exampleHash <= examples.threshold { examples.insert(hash: exampleHash, value: "(prompt hash) " + key) }
            if promptHash <= prompts.threshold { prompts.insert(hash: promptHash, value: key) }
        }
        promptWords += words
        promptWordsHistogram[Self.bucket(words, count: 16)] += 1
        if elicitation.reasoning { reasoning += 1 }
        if elicitation.code { code += 1 }
        if let system = record.system {
            withSystem += 1
            let hash = StableHash.of(system)
            if hash <= systemPrompts.threshold { systemPrompts.insert(hash: hash, value: String(system.prefix(200))) }
        }
        let timeHash = StableHash.mix(promptHash ^ UInt64(bitPattern: millis) &* 0x9E37_79B9_7F4A_7C15)
        if timeHash <= timeSample.threshold { timeSample.insert(hash: timeHash, value: String(millis)) }
        if let network = record.network { networks.insert(network) }
        if let payment = record.payment { payments.insert(payment) }
        models.insert(record.model)
    }

    /// Adds another summary of the same account (another part of the log).
    public mutating func merge(_ other: AccountSummary) {
        precondition(other.account == account, "merging summaries of different accounts")
        requests += other.requests
        firstMillis = min(firstMillis, other.firstMillis)
        lastMillis = max(lastMillis, other.lastMillis)
        for hour in 0..<24 { hourOfDay[hour] += other.hourOfDay[hour] }
        hourCounts.merge(other.hourCounts, uniquingKeysWith: +)
        timeSample.merge(other.timeSample)
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        withMaxTokens += other.withMaxTokens
        maxTokensSum += other.maxTokensSum
        hitMaxTokens += other.hitMaxTokens
        for index in outputHistogram.indices { outputHistogram[index] += other.outputHistogram[index] }
        for index in ratioHistogram.indices { ratioHistogram[index] += other.ratioHistogram[index] }
        for index in promptWordsHistogram.indices { promptWordsHistogram[index] += other.promptWordsHistogram[index] }
        promptWords += other.promptWords
        shingles += other.shingles
        reasoning += other.reasoning
        code += other.code
        withSystem += other.withSystem
        systemPrompts.merge(other.systemPrompts)
        prompts.merge(other.prompts)
        minHash.merge(other.minHash)
        sketch.merge(other.sketch)
        networks.merge(other.networks)
        payments.merge(other.payments)
        models.merge(other.models)
        examples.merge(other.examples)
    }

    enum CodingKeys: String, CodingKey {
        case account, requests, inputTokens = "input_tokens", outputTokens = "output_tokens"
        case firstMillis = "first_ms", lastMillis = "last_ms", hourOfDay = "hour_of_day", hourCounts = "hour_counts"
        case timeSample = "time_sample", withMaxTokens = "with_max_tokens", maxTokensSum = "max_tokens_sum"
        case hitMaxTokens = "hit_max_tokens", outputHistogram = "output_histogram", ratioHistogram = "ratio_histogram"
        case promptWordsHistogram = "prompt_words_histogram", promptWords = "prompt_words", shingles
        case reasoning, code, withSystem = "with_system", systemPrompts = "system_prompts", prompts
        case minHash = "minhash", sketch, networks, payments, models, examples
    }

    // The sparse hour counts as sorted [hour, count] pairs, so the encoding is canonical.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        account = try c.decode(String.self, forKey: .account)
        requests = try c.decode(Int.self, forKey: .requests)
        firstMillis = try c.decode(Int64.self, forKey: .firstMillis)
        lastMillis = try c.decode(Int64.self, forKey: .lastMillis)
        hourOfDay = try c.decode([Int].self, forKey: .hourOfDay)
        let pairs = try c.decode([[Int64]].self, forKey: .hourCounts)
        hourCounts = Dictionary(pairs.compactMap { $0.count == 2 ? (Int32(truncatingIfNeeded: $0[0]), Int($0[1])) : nil },
                                uniquingKeysWith: +)
        timeSample = try c.decode(BottomK.self, forKey: .timeSample)
        inputTokens = try c.decode(Int.self, forKey: .inputTokens)
        outputTokens = try c.decode(Int.self, forKey: .outputTokens)
        withMaxTokens = try c.decode(Int.self, forKey: .withMaxTokens)
        maxTokensSum = try c.decode(Int.self, forKey: .maxTokensSum)
        hitMaxTokens = try c.decode(Int.self, forKey: .hitMaxTokens)
        outputHistogram = try c.decode([Int].self, forKey: .outputHistogram)
        ratioHistogram = try c.decode([Int].self, forKey: .ratioHistogram)
        promptWordsHistogram = try c.decode([Int].self, forKey: .promptWordsHistogram)
        promptWords = try c.decode(Int.self, forKey: .promptWords)
        shingles = try c.decode(Int.self, forKey: .shingles)
        reasoning = try c.decode(Int.self, forKey: .reasoning)
        code = try c.decode(Int.self, forKey: .code)
        withSystem = try c.decode(Int.self, forKey: .withSystem)
        systemPrompts = try c.decode(BottomK.self, forKey: .systemPrompts)
        prompts = try c.decode(BottomK.self, forKey: .prompts)
        minHash = try c.decode(MinHash.self, forKey: .minHash)
        sketch = try c.decode(CountSketch.self, forKey: .sketch)
        networks = try c.decode(BottomK.self, forKey: .networks)
        payments = try c.decode(BottomK.self, forKey: .payments)
        models = try c.decode(BottomK.self, forKey: .models)
        examples = try c.decode(BottomK.self, forKey: .examples)
        guard hourOfDay.count == 24, outputHistogram.count == 16, ratioHistogram.count == 17, promptWordsHistogram.count == 16 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "histogram of the wrong size"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(account, forKey: .account)
        try c.encode(requests, forKey: .requests)
        try c.encode(firstMillis, forKey: .firstMillis)
        try c.encode(lastMillis, forKey: .lastMillis)
        try c.encode(hourOfDay, forKey: .hourOfDay)
        try c.encode(hourCounts.sorted { $0.key < $1.key }.map { [Int64($0.key), Int64($0.value)] }, forKey: .hourCounts)
        try c.encode(timeSample, forKey: .timeSample)
        try c.encode(inputTokens, forKey: .inputTokens)
        try c.encode(outputTokens, forKey: .outputTokens)
        try c.encode(withMaxTokens, forKey: .withMaxTokens)
        try c.encode(maxTokensSum, forKey: .maxTokensSum)
        try c.encode(hitMaxTokens, forKey: .hitMaxTokens)
        try c.encode(outputHistogram, forKey: .outputHistogram)
        try c.encode(ratioHistogram, forKey: .ratioHistogram)
        try c.encode(promptWordsHistogram, forKey: .promptWordsHistogram)
        try c.encode(promptWords, forKey: .promptWords)
        try c.encode(shingles, forKey: .shingles)
        try c.encode(reasoning, forKey: .reasoning)
        try c.encode(code, forKey: .code)
        try c.encode(withSystem, forKey: .withSystem)
        try c.encode(systemPrompts, forKey: .systemPrompts)
        try c.encode(prompts, forKey: .prompts)
        try c.encode(minHash, forKey: .minHash)
        try c.encode(sketch, forKey: .sketch)
        try c.encode(networks, forKey: .networks)
        try c.encode(payments, forKey: .payments)
        try c.encode(models, forKey: .models)
        try c.encode(examples, forKey: .examples)
    }
}
