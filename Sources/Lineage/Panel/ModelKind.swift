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
    public static func profile(_ responses: [StoredResponse], models: [String], consensusModels: [String]) -> [ModelKind] {
        let wanted = Set(models).union(consensusModels)
        // probe → model → one answer's word counts (first sample), length and format share.
        struct Answer: Sendable { var counts: [String: Double]; var norm: Double; var logLength: Double; var format: Double }
        var byProbe: [Int64: [String: Answer]] = [:]
        // One answer per (model, probe): the first sample (lowest index, then content hash), whatever the order given.
        var first: [String: StoredResponse] = [:]
        for response in responses where wanted.contains(response.model) {
            let key = "\(response.model)\u{0}\(response.probeID)"
            if let seen = first[key], (seen.sampleIndex, seen.contentHash) <= (response.sampleIndex, response.contentHash) { continue }
            first[key] = response
        }
        // Each answer's words are counted on its own (on every core), then filed by probe and model.
        let chosen = first.values.sorted { ($0.probeID, $0.model) < ($1.probeID, $1.model) }
        let counted = chosen.concurrentMap { response -> Answer in
            let text = response.turns.joined(separator: "\n")
            var counts: [String: Double] = [:]
            var words = 0
            for word in Self.words(of: text) {
                counts[word, default: 0] += 1
                words += 1
            }
            let (lineCount, structured) = Self.structuredLines(text)
            let norm = counts.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return Answer(counts: counts, norm: norm, logLength: log1p(Double(words)),
                          format: lineCount == 0 ? 0 : Double(structured) / Double(lineCount))
        }
        for (response, answer) in zip(chosen, counted) { byProbe[response.probeID, default: [:]][response.model] = answer }
        let consensusSet = Set(consensusModels)
        // What each probe adds to each model's totals, probe by probe on every core; the totals are then
        // summed in probe order, so the sums do not depend on the cores or on dictionary order, and the
        // same store gives the same profile bit for bit in every process.
        struct Contribution: Sendable { var length: Double; var format: Double; var consensus: Double? }
        let probes = byProbe.keys.sorted()
        let answersByProbe = probes.map { byProbe[$0]! }
        let perProbe = answersByProbe.concurrentMap { answers -> [Contribution?] in
            // The mean of the consensus models' normalised word vectors on this probe, words in sorted order.
            var sums: [String: Double] = [:]
            var members = 0
            for model in answers.keys.sorted() where consensusSet.contains(model) && answers[model]!.norm > 0 {
                let answer = answers[model]!
                members += 1
                for (word, count) in answer.counts { sums[word, default: 0] += count / answer.norm }
            }
            // The centroid as a dense vector over its words in sorted order; each answer's counts are laid
            // out on the same positions, so the loop below reads arrays instead of dictionaries.
            let vocabulary = sums.keys.sorted()
            let position = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, $0.offset) })
            let centroid = vocabulary.map { sums[$0]! }
            var dense = [Double](repeating: 0, count: vocabulary.count)
            return models.map { model -> Contribution? in
                guard let answer = answers[model] else { return nil }
                var contribution = Contribution(length: answer.logLength, format: answer.format, consensus: nil)
                let own = consensusSet.contains(model) && answer.norm > 0
                let others = members - (own ? 1 : 0)
                if others > 0, answer.norm > 0 {
                    var dot = 0.0, squared = 0.0
                    var touched: [Int] = []
                    for (word, count) in answer.counts { if let i = position[word] { dense[i] = count; touched.append(i) } }
                    for i in 0..<centroid.count {
                        let count = dense[i]
                        let rest = centroid[i] - (own ? count / answer.norm : 0)
                        squared += rest * rest
                        if count != 0 { dot += count * rest }
                    }
                    for i in touched { dense[i] = 0 }
                    if squared > 0 { contribution.consensus = dot / (answer.norm * squared.squareRoot()) }
                }
                return contribution
            }
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
