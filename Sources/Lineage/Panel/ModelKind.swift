import Foundation

/// What kind of answerer a model is, measured on its answers: how long it writes, how much it formats,
/// and how close its answers come to what the other models say (a capability proxy).
///
/// A control stands for "a model like the suspect that did not learn from the reference". When the
/// suspect writes much longer, much more formatted or much more mainstream answers than every control,
/// a lean toward the reference may only say that it is a different kind of model: the verdict must not
/// rest on such a panel (`PanelFit`).
public struct ModelKind: Codable, Sendable, Equatable {
    public var model: String
    /// Mean over probes of log(1 + words in the answer).
    public var logLength: Double
    /// Mean over probes of the share of the answer's lines that are list items, headers, table rows or
    /// code-fence lines.
    public var format: Double
    /// Mean over probes of the cosine between the answer's word counts and the mean of the other
    /// models' normalised word counts on the same probe (leave-one-out consensus). Strong assistants
    /// converge on the same content, weak models wander: a proxy for capability that needs no grader.
    public var consensus: Double
    public var probes: Int

    /// The three measures in a fixed order, for distances and ranges.
    public var measures: [Double] { [logLength, format, consensus] }
    public static let measureNames = ["answer length", "formatting", "consensus (capability proxy)"]

    /// Words in the answer, for people: exp(logLength) − 1.
    public var typicalWords: Double { exp(logLength) - 1 }
}

public enum ModelKindProfiler {
    /// Profiles `models` on their responses. The consensus of a probe is taken against the models of
    /// `consensusModels` (a model is never compared with itself); models of the reference's own maker
    /// should be left out of it, so that leaning toward the reference does not read as capability.
    public static func profile(_ responses: [StoredResponse], models: [String], consensusModels: [String],
                               onProbes probes: Set<Int64>? = nil) -> [ModelKind] {
        profile(responses, models: models, consensusModels: consensusModels, onProbes: probes, bytePath: true)
    }

    /// What one probe adds to one model's totals.
    struct Contribution: Sendable { var length: Double; var format: Double; var consensus: Double? }

    /// `bytePath: false` profiles every probe through `String` words (the reference the byte path is
    /// tested against, bit for bit).
    /// `onProbes`: only the responses to these probes count (nil: every probe).
    static func profile(_ responses: [StoredResponse], models: [String], consensusModels: [String], onProbes probes: Set<Int64>? = nil,
                        bytePath: Bool) -> [ModelKind] {
        let wanted = Set(models).union(consensusModels)
        // One answer per (model, probe): the first sample (lowest index, then content hash), whatever the
        // order given. Indices into `responses`, so that no response is copied until a probe's run is read.
        struct Key: Hashable { let model: String; let probe: Int64 }
        var first: [Key: Int] = [:]
        first.reserveCapacity(responses.count)
        for (index, response) in responses.enumerated() where wanted.contains(response.model) && probes?.contains(response.probeID) != false {
            let key = Key(model: response.model, probe: response.probeID)
            if let seen = first[key],
               (responses[seen].sampleIndex, responses[seen].contentHash) <= (response.sampleIndex, response.contentHash) { continue }
            first[key] = index
        }
        // Sorted by probe, then model: each probe's answers are one run, in model order.
        let order = first.values.sorted { (responses[$0].probeID, responses[$0].model) < (responses[$1].probeID, responses[$1].model) }
        let chosen = order.map { responses[$0] }
        var runs: [Range<Int>] = []
        var runStart = 0
        for i in chosen.indices where i > 0 && chosen[i].probeID != chosen[runStart].probeID {
            runs.append(runStart..<i)
            runStart = i
        }
        if !chosen.isEmpty { runs.append(runStart..<chosen.count) }
        let consensusSet = Set(consensusModels)
        // What each probe adds to each model's totals, probe by probe on every core; the totals are then
        // summed in probe order, so the sums do not depend on the cores or on dictionary order, and the
        // same store gives the same profile bit for bit in every process.
        let perProbe = runs.concurrentMap { run -> [Contribution?] in
            let answers = Array(chosen[run])
            if bytePath, let contributions = asciiContributions(answers, models: models, consensus: consensusSet) { return contributions }
            return generalContributions(answers, models: models, consensus: consensusSet)
        }
        var totals: [String: (length: Double, format: Double, consensus: Double, consensusProbes: Int, probes: Int)] = [:]
        for contributions in perProbe {
            for (model, contribution) in zip(models, contributions) {
                guard let contribution else { continue }
                var entry = totals[model] ?? (0, 0, 0, 0, 0)
                entry.length += contribution.length
                entry.format += contribution.format
                entry.probes += 1
                if let c = contribution.consensus {
                    entry.consensus += c
                    entry.consensusProbes += 1
                }
                totals[model] = entry
            }
        }
        return models.compactMap { model in
            guard let s = totals[model], s.probes > 0 else { return nil }
            return ModelKind(model: model, logLength: s.length / Double(s.probes), format: s.format / Double(s.probes),
                             consensus: s.consensusProbes > 0 ? s.consensus / Double(s.consensusProbes) : 0, probes: s.probes)
        }
    }

    /// One probe's contributions through `String` words, for any text. `answers`: one per model, in model order.
    static func generalContributions(_ answers: [StoredResponse], models: [String], consensus consensusSet: Set<String>) -> [Contribution?] {
        struct Answer { var counts: [String: Double]; var norm: Double; var logLength: Double; var format: Double }
        var byModel: [String: Answer] = [:]
        for response in answers {
            let text = response.turns.joined(separator: "\n")
            var counts: [String: Double] = [:]
            var words = 0
            for word in Self.words(of: text) {
                counts[word, default: 0] += 1
                words += 1
            }
            let (lineCount, structured) = Self.structuredLines(text)
            let norm = counts.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            byModel[response.model] = Answer(counts: counts, norm: norm, logLength: log1p(Double(words)),
                                             format: lineCount == 0 ? 0 : Double(structured) / Double(lineCount))
        }
        // The mean of the consensus models' normalised word vectors on this probe, words in sorted order.
        var sums: [String: Double] = [:]
        var members = 0
        for model in byModel.keys.sorted() where consensusSet.contains(model) && byModel[model]!.norm > 0 {
            let answer = byModel[model]!
            members += 1
            for (word, count) in answer.counts { sums[word, default: 0] += count / answer.norm }
        }
        // The centroid as a dense vector over its words in sorted order; each answer's counts are laid
        // out on the same positions, so the loop below reads arrays instead of dictionaries.
        let vocabulary = sums.keys.sorted()
        let position = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, $0.offset) })
        let profiled = byModel.mapValues { answer in
            ProfiledAnswer(logLength: answer.logLength, format: answer.format, norm: answer.norm,
                           atCentroid: answer.counts.compactMap { word, count in position[word].map { ($0, count) } })
        }
        return contributions(models: models, answers: profiled, centroid: vocabulary.map { sums[$0]! }, members: members,
                             consensus: consensusSet)
    }

    /// One answer as the consensus cosine reads it: its counts at the centroid's positions (words the
    /// centroid lacks left out; their counts are in `norm`).
    struct ProfiledAnswer {
        var logLength: Double
        var format: Double
        var norm: Double
        var atCentroid: [(position: Int, count: Double)]
    }

    /// Each model's contribution on one probe: length, format, and the cosine of its word counts with the
    /// centroid of the other consensus models (its own share taken out when it is one of them), summed
    /// over the centroid's positions in order, so both word paths give the same numbers bit for bit.
    static func contributions(models: [String], answers: [String: ProfiledAnswer], centroid: [Double], members: Int,
                              consensus consensusSet: Set<String>) -> [Contribution?] {
        var dense = [Double](repeating: 0, count: centroid.count)
        return models.map { model -> Contribution? in
            guard let answer = answers[model] else { return nil }
            var contribution = Contribution(length: answer.logLength, format: answer.format, consensus: nil)
            let own = consensusSet.contains(model) && answer.norm > 0
            let others = members - (own ? 1 : 0)
            if others > 0, answer.norm > 0 {
                var dot = 0.0, squared = 0.0
                for (i, count) in answer.atCentroid { dense[i] = count }
                for i in 0..<centroid.count {
                    let count = dense[i]
                    let rest = centroid[i] - (own ? count / answer.norm : 0)
                    squared += rest * rest
                    if count != 0 { dot += count * rest }
                }
                for (i, _) in answer.atCentroid { dense[i] = 0 }
                if squared > 0 { contribution.consensus = dot / (answer.norm * squared.squareRoot()) }
            }
            return contribution
        }
    }

    /// One probe's contributions when every answer is ASCII: the same words as byte ranges, interned in
    /// one hash table per probe (no `String` per word), and the same sums in the same order as
    /// `generalContributions` (per word over models in model order; over the vocabulary in sorted order,
    /// which for ASCII is byte order), so the same numbers bit for bit. Nil when some answer is not ASCII.
    static func asciiContributions(_ answers: [StoredResponse], models: [String], consensus consensusSet: Set<String>) -> [Contribution?]? {
        var lowered: [[UInt8]] = []
        var lineShares: [Double] = []
        lowered.reserveCapacity(answers.count)
        for response in answers {
            let text = response.turns.joined(separator: "\n")
            guard let bytes = text.utf8.withContiguousStorageIfAvailable({ b -> [UInt8]? in
                b.contains(where: { $0 >= 0x80 }) ? nil : ASCIIFeaturiser.lowered(b)
            }) ?? nil else { return nil }
            let (lineCount, structured) = Self.structuredLines(text)
            lowered.append(bytes)
            lineShares.append(lineCount == 0 ? 0 : Double(structured) / Double(lineCount))
        }
        // Intern every word: an open-addressing table of word ids, keyed by the word's bytes.
        var wordAnswer: [Int32] = [], wordStart: [Int32] = [], wordLength: [Int32] = []
        let totalBytes = lowered.reduce(0) { $0 + $1.count }
        var capacity = 64
        // At most one word per two bytes of an answer, plus one: the table stays at most half full.
        while capacity < totalBytes + 2 * lowered.count + 16 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        var sparse: [[(id: Int32, count: Double)]] = []
        var norms: [Double] = [], logLengths: [Double] = []
        var scratch: [Double] = []
        var touched: [Int32] = []
        isWordByte.withUnsafeBufferPointer { isWord in
            for (a, bytes) in lowered.enumerated() {
                var words = 0
                bytes.withUnsafeBufferPointer { b in
                    let n = b.count
                    var i = 0
                    while i < n {
                        if !isWord[Int(b[i])] { i += 1; continue }
                        let start = i
                        var hash: UInt64 = 0xcbf29ce484222325
                        while i < n && isWord[Int(b[i])] { hash = (hash ^ UInt64(b[i])) &* 0x100000001b3; i += 1 }
                        let length = i - start
                        var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
                        var id: Int32 = -1
                        while slots[slot] >= 0 {
                            let candidate = Int(slots[slot])
                            if Int(wordLength[candidate]) == length {
                                let other = Int(wordAnswer[candidate]), otherStart = Int(wordStart[candidate])
                                let same = lowered[other].withUnsafeBufferPointer { o in
                                    memcmp(o.baseAddress! + otherStart, b.baseAddress! + start, length) == 0
                                }
                                if same { id = Int32(candidate); break }
                            }
                            slot = (slot + 1) & (capacity - 1)
                        }
                        if id < 0 {
                            id = Int32(wordLength.count)
                            slots[slot] = id
                            wordAnswer.append(Int32(a)); wordStart.append(Int32(start)); wordLength.append(Int32(length))
                            scratch.append(0)
                        }
                        if scratch[Int(id)] == 0 { touched.append(id) }
                        scratch[Int(id)] += 1
                        words += 1
                    }
                }
                var counts: [(id: Int32, count: Double)] = []
                counts.reserveCapacity(touched.count)
                var squares = 0.0
                for id in touched {
                    let count = scratch[Int(id)]
                    counts.append((id, count))
                    squares += count * count
                    scratch[Int(id)] = 0
                }
                touched.removeAll(keepingCapacity: true)
                sparse.append(counts)
                norms.append(squares.squareRoot())
                logLengths.append(log1p(Double(words)))
            }
        }
        // The consensus vocabulary in sorted (byte) order, and the sums per word over models in model order.
        var sums = [Double](repeating: 0, count: wordLength.count)
        var inVocabulary = [Bool](repeating: false, count: wordLength.count)
        var members = 0
        for (a, response) in answers.enumerated() where consensusSet.contains(response.model) && norms[a] > 0 {
            members += 1
            for (id, count) in sparse[a] {
                sums[Int(id)] += count / norms[a]
                inVocabulary[Int(id)] = true
            }
        }
        func lessThan(_ x: Int32, _ y: Int32) -> Bool {
            let lx = Int(wordLength[Int(x)]), ly = Int(wordLength[Int(y)])
            let c = lowered[Int(wordAnswer[Int(x)])].withUnsafeBufferPointer { bx in
                lowered[Int(wordAnswer[Int(y)])].withUnsafeBufferPointer { by in
                    memcmp(bx.baseAddress! + Int(wordStart[Int(x)]), by.baseAddress! + Int(wordStart[Int(y)]), min(lx, ly))
                }
            }
            return c != 0 ? c < 0 : lx < ly
        }
        let vocabulary = (0..<Int32(wordLength.count)).filter { inVocabulary[Int($0)] }.sorted(by: lessThan)
        var position = [Int32](repeating: -1, count: wordLength.count)
        for (i, id) in vocabulary.enumerated() { position[Int(id)] = Int32(i) }
        var profiled: [String: ProfiledAnswer] = [:]
        for (a, response) in answers.enumerated() {
            profiled[response.model] = ProfiledAnswer(
                logLength: logLengths[a], format: lineShares[a], norm: norms[a],
                atCentroid: sparse[a].compactMap { id, count in position[Int(id)] >= 0 ? (Int(position[Int(id)]), count) : nil })
        }
        return contributions(models: models, answers: profiled, centroid: vocabulary.map { sums[Int($0)] }, members: members,
                             consensus: consensusSet)
    }

    /// The lowercased runs of letters and digits of a text. ASCII text (most answers) is split byte by
    /// byte, on byte classes derived from the `Character` properties the general split uses, so both
    /// give the same words; the general split does the Unicode property lookups only for other text.
    static func words(of text: String) -> [String] {
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> [String]? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            return ASCIIFeaturiser.lowered(bytes).split { !isWordByte[Int($0)] }.map { String(decoding: $0, as: UTF8.self) }
        } ?? nil
        return ascii ?? text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }

    static let isWordByte: [Bool] = (0..<128).map { b in
        let c = Character(Unicode.Scalar(UInt8(b)))
        return c.isLetter || c.isNumber
    }

    /// The non-empty lines of `text` and how many of them are structured (`isStructured`). ASCII text
    /// without carriage returns is read as bytes (each character one byte, so the same lines and the
    /// same tests); any other text through `Character`s.
    static func structuredLines(_ text: String) -> (lines: Int, structured: Int) {
        let fast = text.utf8.withContiguousStorageIfAvailable { bytes -> (Int, Int)? in
            guard !bytes.contains(where: { $0 >= 0x80 || $0 == 0x0D }) else { return nil }
            var lines = 0, structured = 0
            var start = 0
            let n = bytes.count
            for i in 0...n where i == n || bytes[i] == 0x0A {
                if i > start {
                    lines += 1
                    if isStructured(UnsafeBufferPointer(rebasing: bytes[start..<i])) { structured += 1 }
                }
                start = i + 1
            }
            return (lines, structured)
        } ?? nil
        if let fast { return fast }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        return (lines.count, lines.filter(isStructured).count)
    }

    /// `isStructured` on an ASCII line's bytes.
    static func isStructured(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = line.count
        while i < n && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        guard i < n else { return false }
        let first = line[i]
        if first == 0x23 || first == 0x7C { return true }                                   // # |
        if first == 0x60 && i + 2 < n && line[i + 1] == 0x60 && line[i + 2] == 0x60 { return true }   // ```
        if (first == 0x2D || first == 0x2A) && i + 1 < n && line[i + 1] == 0x20 { return true }      // "- ", "* "
        var digits = 0
        while i + digits < n && line[i + digits] >= 0x30 && line[i + digits] <= 0x39 { digits += 1 }
        if digits > 0, digits <= 3 {
            let j = i + digits
            if j + 1 < n && (line[j] == 0x2E || line[j] == 0x29) && line[j + 1] == 0x20 { return true }   // ". ", ") "
        }
        return false
    }

    static func isStructured(_ line: Substring) -> Bool {
        let t = line.drop { $0 == " " || $0 == "\t" }
        guard let first = t.first else { return false }
        if t.hasPrefix("```") || t.hasPrefix("#") || t.hasPrefix("|") { return true }
        if (first == "-" || first == "*" || first == "•") && t.dropFirst().first == " " { return true }
        let digits = t.prefix { $0.isNumber }
        if !digits.isEmpty, digits.count <= 3 {
            let rest = t.dropFirst(digits.count)
            if rest.hasPrefix(". ") || rest.hasPrefix(") ") { return true }
        }
        return false
    }
}
